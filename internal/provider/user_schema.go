package provider

import (
	"context"
	"math"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

func (r *userResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	emptyDefault := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc + " Defaults to `\"\"`.",
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(""),
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A LogicMonitor user (`/setting/admins`; LogicMonitor calls users \"admins\"). The usual one is an " +
			"API-only service user (`api_only = true`, the default) that holds a least-privilege `lm_role` and owns the " +
			"`lm_api_token`s of a pipeline. Every attribute is updated in place (PATCH). Destroying the user deletes it, and " +
			"LogicMonitor deletes its API tokens with it: `lm_api_token` resources of that user then leave the state with a warning. " +
			"Deleting the user whose token the provider itself authenticates with is refused unless the provider sets `allow_self_revoke`. " +
			"Failed requests are retried until the operation's limit in the `timeouts` block (default 20 minutes each).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The user's numeric id, as a string; use it as `lm_api_token.admin_id` (a number).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "Username, unique in the portal regardless of case.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "Email address LogicMonitor requires for every user, such as the owning team's list.",
				Required:            true,
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[^@\s]+@[^@\s]+$`),
					`must be an email address, such as "platform-team@example.com"`)},
			},
			"first_name": emptyDefault("First name."),
			"last_name":  emptyDefault("Last name."),
			"note":       emptyDefault("Free-text note shown in the portal, such as who owns the account."),
			"roles": schema.SetAttribute{
				MarkdownDescription: "Ids of the roles the user holds (at least one), such as `[lm_role.ci.id]` or an id from " +
					"the `lm_role` data source. The user may do what any of its roles allows.",
				Required:    true,
				ElementType: types.Int64Type,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueInt64sAre(int64validator.Between(1, math.MaxInt32)),
				},
			},
			"api_only": schema.BoolAttribute{
				MarkdownDescription: "Whether the user is API-only: it authenticates with API tokens only and cannot sign " +
					"in to the portal. Defaults to `true`. A user who signs in (`false`) needs `password_wo` when created.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "`active` or `suspended`. A suspended user cannot sign in and its API tokens stop " +
					"working until it is active again. Defaults to `active`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(lm.AdminActive),
				Validators: []validator.String{stringvalidator.OneOf(lm.AdminActive, lm.AdminSuspended)},
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "Password of a user who signs in (`api_only = false`), write-only: Terraform sends it " +
					"to LogicMonitor and never stores it in state or shows it in a plan. It is sent when the user is created " +
					"and again whenever `password_wo_version` changes; changing only the password changes nothing. " +
					"Requires Terraform 1.11 or later, or OpenTofu 1.12 or later; older CLIs reject it with a diagnostic naming the version. At least 8 characters.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(8)},
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; change it (for example, increment it) to send `password_wo` again, which " +
					"sets the user's password to its current value. Requires `password_wo`.",
				Optional: true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *userResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.RequiredTogether(path.MatchRoot("password_wo_version"), path.MatchRoot("password_wo")),
	}
}

// ValidateConfig rejects a password for an API-only user, which cannot
// sign in and so has none.
func (r *userResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var apiOnly types.Bool
	var password types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("api_only"), &apiOnly)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	if resp.Diagnostics.HasError() || apiOnly.IsUnknown() || password.IsNull() {
		return
	}
	if apiOnly.IsNull() || apiOnly.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("password_wo"), "Password for an API-only user",
			"An API-only user (api_only = true, the default) authenticates with API tokens only and has no password. "+
				"Remove password_wo (and password_wo_version), or set api_only = false for a user who signs in to the portal.")
	}
}

func (r *userResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("The user's numeric id.")
}
