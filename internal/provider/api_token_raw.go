package provider

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Read and ModifyPlan run once per token in every plan. The framework's
// State.Get and State.Set reflect on the model struct at every call and
// compile a regular expression per field
// (terraform-plugin-framework#725), a large share of the provider's CPU
// in a plan of many tokens, so those two read and write the token's
// values through rawModel instead (DESIGN.md says when to drop it).

// rawModel converts between a model struct M and the tftypes value of a
// schema, as State.Get and State.Set do, with the struct's tfsdk tags
// matched to the schema's attributes once, when it is made: a model and
// a schema that disagree (an attribute without its field, a field
// without its attribute, a field of another type) fail there, so neither
// can change without the other.
type rawModel[M any] struct {
	typ    tftypes.Object
	fields []rawField
}

// rawField is one attribute: its name, its type in the schema and the
// index of its field in M (more than one number for a field of an
// embedded struct).
type rawField struct {
	name  string
	typ   attr.Type
	index []int
}

func newRawModel[M any](ctx context.Context, schemaType attr.Type) (*rawModel[M], error) {
	model := reflect.TypeFor[M]()
	obj, ok := schemaType.(types.ObjectType)
	if !ok {
		return nil, fmt.Errorf("%s: the schema's type is %T, not an object", model, schemaType)
	}
	tfType, ok := obj.TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("%s: the schema's type is no tftypes object", model)
	}
	tags, err := tfsdkFields(model, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", model, err)
	}
	r := &rawModel[M]{typ: tfType}
	var problems []string
	for name, typ := range obj.AttrTypes {
		index, ok := tags[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("the schema's attribute %q has no field", name))
			continue
		}
		delete(tags, name)
		field, want := model.FieldByIndex(index), reflect.TypeOf(typ.ValueType(ctx))
		if field.Type != want {
			problems = append(problems, fmt.Sprintf("field %s (%q) is a %s; the schema's attribute holds a %s", field.Name, name, field.Type, want))
			continue
		}
		r.fields = append(r.fields, rawField{name: name, typ: typ, index: index})
	}
	for name := range tags {
		problems = append(problems, fmt.Sprintf("the field tagged %q is no attribute of the schema", name))
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("%s does not match its schema: %s", model, strings.Join(problems, "; "))
	}
	slices.SortFunc(r.fields, func(a, b rawField) int { return strings.Compare(a.name, b.name) })
	return r, nil
}

// tfsdkFields maps the tfsdk tags of a struct's fields, those of its
// embedded structs included, to their field indexes, as the framework
// reads them.
func tfsdkFields(t reflect.Type, prefix []int) (map[string][]int, error) {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(slices.Clone(prefix), i)
		tag, tagged := f.Tag.Lookup("tfsdk")
		switch {
		case tag == "-" || !f.IsExported() && !f.Anonymous:
			continue
		case f.Anonymous:
			if f.Type.Kind() != reflect.Struct {
				return nil, fmt.Errorf("embedded %s is not a struct embedded by value", f.Type)
			}
			inner, err := tfsdkFields(f.Type, index)
			if err != nil {
				return nil, err
			}
			for name, idx := range inner {
				if _, dup := out[name]; dup {
					return nil, fmt.Errorf("two fields are tagged %q", name)
				}
				out[name] = idx
			}
			continue
		case !tagged:
			return nil, fmt.Errorf("field %s has no tfsdk tag", f.Name)
		}
		if _, dup := out[tag]; dup {
			return nil, fmt.Errorf("two fields are tagged %q", tag)
		}
		out[tag] = index
	}
	return out, nil
}

// get reads a value of the schema into a model, as State.Get would.
func (r *rawModel[M]) get(ctx context.Context, v tftypes.Value) (M, error) {
	var m M
	if !v.Type().Equal(r.typ) {
		return m, fmt.Errorf("a value of type %s, want %s", v.Type(), r.typ)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return m, err
	}
	out := reflect.ValueOf(&m).Elem()
	for _, f := range r.fields {
		val, err := f.typ.ValueFromTerraform(ctx, attrs[f.name])
		if err != nil {
			return m, fmt.Errorf("%s: %w", f.name, err)
		}
		out.FieldByIndex(f.index).Set(reflect.ValueOf(val))
	}
	return m, nil
}

// set makes the schema's value of a model, as State.Set would, but
// without running the validation of custom types (timetypes' RFC 3339
// check) on values the provider made itself.
func (r *rawModel[M]) set(ctx context.Context, m *M) (v tftypes.Value, err error) {
	// A value that does not fit the schema, such as a set without its
	// element type, makes ToTerraformValue or NewValue panic.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("a value that does not fit the schema: %v", p)
		}
	}()
	in := reflect.ValueOf(m).Elem()
	attrs := make(map[string]tftypes.Value, len(r.fields))
	for _, f := range r.fields {
		// newRawModel checked that the field holds the attribute's value type.
		val, _ := in.FieldByIndex(f.index).Interface().(attr.Value)
		if attrs[f.name], err = val.ToTerraformValue(ctx); err != nil {
			return v, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return tftypes.NewValue(r.typ, attrs), nil
}

// rawDiag reports a failure of the raw path, which is a bug.
func rawDiag(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected lm_api_token value",
		fmt.Sprintf("The provider could not convert the resource's value; this is a bug in the provider: %s", err))
}

// tokenRaw holds lm_api_token's state and identity as rawModels, made
// from its schemas once.
type tokenRaw struct {
	state    *rawModel[apiTokenModel]
	identity *rawModel[tokenIdentityModel]
}

var tokenRawModels = sync.OnceValues(func() (tokenRaw, error) {
	ctx := context.Background()
	r := &apiTokenResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	var ir resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	state, err := newRawModel[apiTokenModel](ctx, sr.Schema.Type())
	if err != nil {
		return tokenRaw{}, err
	}
	identity, err := newRawModel[tokenIdentityModel](ctx, ir.IdentitySchema.Type())
	return tokenRaw{state: state, identity: identity}, err
})
