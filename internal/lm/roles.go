package lm

import (
	"context"
	"iter"
	"net/http"
	"strconv"
)

// RoleWrite is the body of a role create or update. Every writable field is
// sent, so an update is a PATCH that sets the whole role as described.
type RoleWrite struct {
	Name          string      `json:"name"`
	Description   string      `json:"description"`
	Privileges    []Privilege `json:"privileges"`
	TwoFARequired bool        `json:"twoFARequired"`
	RequireEULA   bool        `json:"requireEULA"`
	// RoleGroupID is sent only when set: 0 lets LogicMonitor choose.
	RoleGroupID int32 `json:"roleGroupId,omitempty"`
}

func rolePath(id int32) string { return "/setting/roles/" + strconv.Itoa(int(id)) }

// ListRoles lists roles, all pages. opts.Type is ignored.
func (c *Client) ListRoles(ctx context.Context, opts ListOptions) ([]Role, error) {
	return listAll[Role](ctx, c, "/setting/roles", opts, nil)
}

// Roles yields the roles that opts.Filter selects, page by page as
// Admins does.
func (c *Client) Roles(ctx context.Context, opts ListOptions) iter.Seq2[Role, error] {
	return each[Role](ctx, c, "/setting/roles", opts, nil)
}

// RolePages reads the roles that opts.Filter selects a page at a time
// (Pages).
func (c *Client) RolePages(opts ListOptions) *Pages[Role] {
	return newPages[Role](c, "/setting/roles", opts, nil)
}

// GetRole reads a role by id.
func (c *Client) GetRole(ctx context.Context, id int32) (*Role, error) {
	var r Role
	if err := c.do(ctx, &call{method: http.MethodGet, path: rolePath(id), out: &r}); err != nil {
		return nil, err
	}
	if err := c.sameID(http.MethodGet, rolePath(id), "role", id, r.ID); err != nil {
		return nil, err
	}
	return &r, nil
}

// FindRolesByName returns the roles with exactly that name (LogicMonitor
// role names are unique, so at most one). The filter's answer is re-checked
// because `*` in a filter value is a wildcard.
func (c *Client) FindRolesByName(ctx context.Context, name string) ([]Role, error) {
	all, err := c.ListRoles(ctx, ListOptions{Filter: "name:" + QuoteFilter(name)})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if r.Name == name {
			out = append(out, r)
		}
	}
	return out, nil
}

// CreateRole creates a role. A POST is not retried on an unknown outcome
// (retryable's rule for POST); role names are unique, so a retry by
// the caller fails loudly rather than duplicating the role.
func (c *Client) CreateRole(ctx context.Context, in RoleWrite) (*Role, error) {
	in.Privileges = nonNil(in.Privileges)
	var r Role
	if err := c.do(ctx, &call{method: http.MethodPost, path: "/setting/roles", in: in, out: &r}); err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateRole sets every writable field of a role with PATCH.
func (c *Client) UpdateRole(ctx context.Context, id int32, in RoleWrite) (*Role, error) {
	in.Privileges = nonNil(in.Privileges)
	var r Role
	if err := c.do(ctx, &call{method: http.MethodPatch, path: rolePath(id), in: in, out: &r}); err != nil {
		return nil, err
	}
	if err := c.sameID(http.MethodPatch, rolePath(id), "role", id, r.ID); err != nil {
		return nil, err
	}
	return &r, nil
}

// DeleteRole deletes a role. A 404 is returned as an error (callers that
// treat it as done test IsNotFound), except on a retry after a lost answer,
// as for DeleteAPIToken.
func (c *Client) DeleteRole(ctx context.Context, id int32) error {
	return c.do(ctx, &call{method: http.MethodDelete, path: rolePath(id)})
}

// nonNil makes a nil slice encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
