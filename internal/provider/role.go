package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// roleType is what the provider serves for LogicMonitor roles: the
// lm_role resource (role_resource.go, its schema and model in
// role_schema.go and role_model.go), data source and list resource.
var roleType = objectType{
	resources:     []func() resource.Resource{newRoleResource},
	dataSources:   []func() datasource.DataSource{newRoleDataSource},
	listResources: []func() list.ListResource{newRoleListResource},
}
