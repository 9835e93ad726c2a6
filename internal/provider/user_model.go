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

// userResourceModel is the lm_user resource's schema as a Go struct.
// PasswordWO is write-only: it is only ever non-null in the configuration.
type userResourceModel struct {
	ID                types.String   `tfsdk:"id"`
	Username          types.String   `tfsdk:"username"`
	Email             types.String   `tfsdk:"email"`
	FirstName         types.String   `tfsdk:"first_name"`
	LastName          types.String   `tfsdk:"last_name"`
	Note              types.String   `tfsdk:"note"`
	Roles             types.Set      `tfsdk:"roles"`
	APIOnly           types.Bool     `tfsdk:"api_only"`
	Status            types.String   `tfsdk:"status"`
	PasswordWO        types.String   `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64    `tfsdk:"password_wo_version"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// toAPI builds the write body from the plan; the password is added by the
// caller from the configuration, the only place it exists.
func (m userResourceModel) toAPI(ctx context.Context) (lm.AdminWrite, diag.Diagnostics) {
	var ids []int64
	diags := m.Roles.ElementsAs(ctx, &ids, false)
	out := lm.AdminWrite{
		Username:  m.Username.ValueString(),
		Email:     m.Email.ValueString(),
		FirstName: m.FirstName.ValueString(),
		LastName:  m.LastName.ValueString(),
		Note:      m.Note.ValueString(),
		APIOnly:   m.APIOnly.ValueBool(),
		Status:    m.Status.ValueString(),
		Roles:     make([]lm.RoleRef, 0, len(ids)),
	}
	for _, id := range ids {
		out.Roles = append(out.Roles, lm.RoleRef{ID: toInt32(id)})
	}
	return out, diags
}

// setFromAPI copies what LogicMonitor reports about a user into the
// model; password_wo and password_wo_version are the configuration's.
func (m *userResourceModel) setFromAPI(a lm.Admin) {
	m.ID = types.StringValue(strconv.Itoa(int(a.ID)))
	m.Username = types.StringValue(a.Username)
	m.Email = types.StringValue(a.Email)
	m.FirstName = types.StringValue(a.FirstName)
	m.LastName = types.StringValue(a.LastName)
	m.Note = types.StringValue(a.Note)
	m.Roles = int64SetOf(a.RoleIDs())
	m.APIOnly = types.BoolValue(a.APIOnly)
	m.Status = types.StringValue(a.Status)
	m.PasswordWO = types.StringNull()
}

// importedUserModel is a user as an import (or a list result) writes it:
// what LogicMonitor reports, with no password and no password version,
// which only a configuration can hold.
func importedUserModel(a lm.Admin) userResourceModel {
	var m userResourceModel
	m.setFromAPI(a)
	m.PasswordWOVersion = types.Int64Null()
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes())}
	return m
}

// int64SetOf turns ids into a set of numbers.
func int64SetOf(ids []int32) types.Set {
	elems := make([]attr.Value, 0, len(ids))
	for _, id := range ids {
		elems = append(elems, types.Int64Value(int64(id)))
	}
	return types.SetValueMust(types.Int64Type, elems)
}
