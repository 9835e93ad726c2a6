package lm

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// AdminWrite is the body of a user create or update. Every writable field
// the provider manages is sent; Password only when set (on create, or with
// changePassword on update).
type AdminWrite struct {
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Note      string    `json:"note"`
	Roles     []RoleRef `json:"roles"`
	APIOnly   bool      `json:"apionly"`
	Status    string    `json:"status,omitempty"`
	Password  string    `json:"password,omitempty"`
}

func adminPath(id int32) string { return "/setting/admins/" + strconv.Itoa(int(id)) }

// GetAdmin reads a user by id.
func (c *Client) GetAdmin(ctx context.Context, id int32) (*Admin, error) {
	var a Admin
	if err := c.do(ctx, &call{method: http.MethodGet, path: adminPath(id), out: &a}); err != nil {
		return nil, err
	}
	if err := c.sameID(http.MethodGet, adminPath(id), "user", id, a.ID); err != nil {
		return nil, err
	}
	return &a, nil
}

// Admins yields the users that opts.Filter selects, in pages of
// opts.PageSize (at most 1000), fetching a page only when the caller keeps
// iterating. An error ends the sequence.
func (c *Client) Admins(ctx context.Context, opts ListOptions) iter.Seq2[Admin, error] {
	return each[Admin](ctx, c, "/setting/admins", opts, nil)
}

// AdminPages reads the users that opts.Filter selects a page at a time
// (Pages).
func (c *Client) AdminPages(opts ListOptions) *Pages[Admin] {
	return newPages[Admin](c, "/setting/admins", opts, nil)
}

// FindAdminsByUsername returns the users with that username. The results
// are re-checked on our side (case-insensitively, as LogicMonitor compares
// usernames) because a `*` in a filter value is a wildcard.
func (c *Client) FindAdminsByUsername(ctx context.Context, username string) ([]Admin, error) {
	all, err := listAll[Admin](ctx, c, "/setting/admins", ListOptions{Filter: "username:" + QuoteFilter(username)}, nil)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if strings.EqualFold(a.Username, username) {
			out = append(out, a)
		}
	}
	return out, nil
}

// CreateAdmin creates a user. The password, if any, never appears in an
// error or a log line, even when the server's message quotes it.
func (c *Client) CreateAdmin(ctx context.Context, in AdminWrite) (*Admin, error) {
	in.Roles = nonNil(in.Roles)
	var a Admin
	if err := c.do(ctx, &call{method: http.MethodPost, path: "/setting/admins", in: in, secret: in.Password, out: &a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// UpdateAdmin sets a user's writable fields with PATCH. A non-empty
// in.Password is sent with `changePassword=true`, which LogicMonitor needs
// to change a password; an empty one leaves the password as it is.
func (c *Client) UpdateAdmin(ctx context.Context, id int32, in AdminWrite) (*Admin, error) {
	in.Roles = nonNil(in.Roles)
	var a Admin
	cl := &call{method: http.MethodPatch, path: adminPath(id), in: in, secret: in.Password, out: &a}
	if in.Password != "" {
		cl.query = url.Values{"changePassword": {"true"}}
	}
	if err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	if err := c.sameID(http.MethodPatch, adminPath(id), "user", id, a.ID); err != nil {
		return nil, err
	}
	return &a, nil
}

// DeleteAdmin deletes a user; LogicMonitor deletes the user's API tokens
// with it. A 404 is returned as an error (callers that treat it as done
// test IsNotFound), except on a retry after a lost answer, as for
// DeleteAPIToken.
func (c *Client) DeleteAdmin(ctx context.Context, id int32) error {
	return c.do(ctx, &call{method: http.MethodDelete, path: adminPath(id)})
}
