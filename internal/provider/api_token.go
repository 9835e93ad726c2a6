package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// apiTokenType is what the provider serves for LogicMonitor API tokens
// (LMv1 and bearer): the lm_api_token resource (api_token_resource.go,
// its schema and model in api_token_schema.go and api_token_model.go),
// data sources, ephemeral resource and list resource, and the
// lm_revoke_api_token action.
var apiTokenType = objectType{
	resources:          []func() resource.Resource{newAPITokenResource},
	dataSources:        []func() datasource.DataSource{newAPITokenDataSource, newAPITokensDataSource},
	ephemeralResources: []func() ephemeral.EphemeralResource{newAPITokenEphemeralResource},
	listResources:      []func() list.ListResource{newAPITokenListResource},
	actions:            []func() action.Action{newRevokeAPITokenAction},
}
