package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// userType is what the provider serves for LogicMonitor users ("admins"
// in the API): the lm_user resource (user_resource.go, its schema and
// model in user_schema.go and user_model.go), data source and list
// resource.
var userType = objectType{
	resources:     []func() resource.Resource{newUserResource},
	dataSources:   []func() datasource.DataSource{newUserDataSource},
	listResources: []func() list.ListResource{newUserListResource},
}
