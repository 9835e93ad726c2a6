package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// roleResourceModel is the lm_role resource's schema as a Go struct.
type roleResourceModel struct {
	ID                  types.String   `tfsdk:"id"`
	Name                types.String   `tfsdk:"name"`
	Description         types.String   `tfsdk:"description"`
	Privileges          types.Set      `tfsdk:"privileges"`
	TwoFARequired       types.Bool     `tfsdk:"two_fa_required"`
	RequireEULA         types.Bool     `tfsdk:"require_eula"`
	RoleGroupID         types.Int64    `tfsdk:"role_group_id"`
	AssociatedUserCount types.Int64    `tfsdk:"associated_user_count"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// privilegeModel is one element of privileges.
type privilegeModel struct {
	ObjectType types.String `tfsdk:"object_type"`
	ObjectID   types.String `tfsdk:"object_id"`
	Operation  types.String `tfsdk:"operation"`
}

var privilegeAttrTypes = map[string]attr.Type{
	"object_type": types.StringType,
	"object_id":   types.StringType,
	"operation":   types.StringType,
}

// toAPI builds the write body from the plan.
func (m roleResourceModel) toAPI(ctx context.Context) (lm.RoleWrite, diag.Diagnostics) {
	var privs []privilegeModel
	diags := m.Privileges.ElementsAs(ctx, &privs, false)
	out := lm.RoleWrite{
		Name:          m.Name.ValueString(),
		Description:   m.Description.ValueString(),
		TwoFARequired: m.TwoFARequired.ValueBool(),
		RequireEULA:   m.RequireEULA.ValueBool(),
		RoleGroupID:   toInt32(m.RoleGroupID.ValueInt64()),
		Privileges:    make([]lm.Privilege, 0, len(privs)),
	}
	for _, p := range privs {
		out.Privileges = append(out.Privileges, lm.Privilege{
			ObjectType: p.ObjectType.ValueString(), ObjectID: p.ObjectID.ValueString(), Operation: p.Operation.ValueString(),
		})
	}
	return out, diags
}

// roleModelFromAPI is the resource's view of a role LogicMonitor reports.
func roleModelFromAPI(r lm.Role) (roleResourceModel, diag.Diagnostics) {
	elems := make([]attr.Value, 0, len(r.Privileges))
	var diags diag.Diagnostics
	for _, p := range r.Privileges {
		obj, d := types.ObjectValue(privilegeAttrTypes, map[string]attr.Value{
			"object_type": types.StringValue(p.ObjectType),
			"object_id":   types.StringValue(p.ObjectID),
			"operation":   types.StringValue(p.Operation),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	set, d := types.SetValue(types.ObjectType{AttrTypes: privilegeAttrTypes}, elems)
	diags.Append(d...)
	return roleResourceModel{
		ID:                  types.StringValue(strconv.Itoa(int(r.ID))),
		Name:                types.StringValue(r.Name),
		Description:         types.StringValue(r.Description),
		Privileges:          set,
		TwoFARequired:       types.BoolValue(r.TwoFARequired),
		RequireEULA:         types.BoolValue(r.RequireEULA),
		RoleGroupID:         types.Int64Value(int64(r.RoleGroupID)),
		AssociatedUserCount: types.Int64Value(int64(r.AssociatedUserCount)),
		Timeouts:            timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())},
	}, diags
}
