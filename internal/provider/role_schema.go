package provider

import (
	"context"
	"math"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

func (r *roleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A LogicMonitor role (`/setting/roles`): a named set of privileges that users hold. " +
			"Give a service account's user a role with only the privileges it needs. Every attribute but `id` and " +
			"`associated_user_count` is updated in place (PATCH). LogicMonitor refuses to delete a role that users " +
			"still hold: destroy or change those users first (Terraform does so by itself when they are in the same configuration). " +
			"Failed requests are retried until the operation's limit in the `timeouts` block (default 20 minutes each).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The role's numeric id, as a string; use it in `lm_user.roles` (as a number).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Role name, unique in the portal (exact match, case included).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "Free-text description. Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"privileges": schema.SetNestedAttribute{
				MarkdownDescription: "What the role may do, one object per privilege, as LogicMonitor's privilege fields. " +
					"An empty set is a role that may do nothing.",
				Required: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"object_type": schema.StringAttribute{
							MarkdownDescription: "Kind of object the privilege covers, such as `host_group`, `dashboard_group`, " +
								"`report_group`, `setting` or `help` (LogicMonitor's `objectType`).",
							Required: true,
							Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`\S`),
								`must name the kind of object the privilege covers, such as "host_group", "dashboard_group", "setting" or "help"`)},
						},
						"object_id": schema.StringAttribute{
							MarkdownDescription: "Which object of that kind: an id, `*` for all of them, or a name LogicMonitor " +
								"defines for the type (such as `private` for private dashboards, or `\"\"` for `help`).",
							Required: true,
						},
						"operation": schema.StringAttribute{
							MarkdownDescription: "`read` (view), `write` (manage) or `ack` (acknowledge alerts, for device groups).",
							Required:            true,
							Validators:          []validator.String{stringvalidator.OneOf(lm.PrivilegeOperations...)},
						},
					},
				},
			},
			"two_fa_required": schema.BoolAttribute{
				MarkdownDescription: "Whether users holding the role must sign in with two-factor authentication. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"require_eula": schema.BoolAttribute{
				MarkdownDescription: "Whether users holding the role must accept the end-user license agreement. Defaults to `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"role_group_id": schema.Int64Attribute{
				MarkdownDescription: "Id of the role group the role is filed under in the portal. LogicMonitor's choice when not set.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{int64validator.Between(0, math.MaxInt32)},
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"associated_user_count": schema.Int64Attribute{
				MarkdownDescription: "How many users hold the role, as of the last refresh.",
				Computed:            true,
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *roleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("The role's numeric id.")
}
