package provider

import (
	"context"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// The refresh of lm_user and lm_role: the portal's listing of users
// (GET /setting/admins) and of roles (GET /setting/roles) serves a plan of
// many, one GET each a plan of few (portalList). A user or role that a
// complete listing lacks is still read by its own GET, whose 404 alone
// proves it gone (gone.go).

func newUserList(c *lm.Client) *portalList[lm.Admin] {
	return newPortalList("users", func(o lm.ListOptions) (*lm.Pages[lm.Admin], error) { return c.AdminPages(o), nil },
		func(a lm.Admin) int32 { return a.ID })
}

func newRoleList(c *lm.Client) *portalList[lm.Role] {
	return newPortalList("roles", func(o lm.ListOptions) (*lm.Pages[lm.Role], error) { return c.RolePages(o), nil },
		func(r lm.Role) int32 { return r.ID })
}

// readListed reads the object id from its listing, or with its own call
// (get) when the listing does not answer it. Errors are get's, or the
// listing's (never a 404: a listing that answers 404 is given up, and the
// object's own call made instead, since it proves nothing of the object).
func readListed[T any](ctx context.Context, l *portalList[T], id int32, get func(context.Context, int32) (*T, error)) (*T, error) {
	if l != nil {
		it, v, err := l.get(ctx, id, id)
		switch {
		case err != nil:
			return nil, err
		case v == listed:
			return &it, nil
		}
	}
	return get(ctx, id)
}

// readUser reads a user for a refresh: lm.IsNotFound proves it gone.
func (d *providerData) readUser(ctx context.Context, id int32) (*lm.Admin, error) {
	return readListed(ctx, d.users, id, d.client.GetAdmin)
}

// readRole reads a role for a refresh: lm.IsNotFound proves it gone.
func (d *providerData) readRole(ctx context.Context, id int32) (*lm.Role, error) {
	return readListed(ctx, d.roles, id, d.client.GetRole)
}

// userWritten records a user this process created, changed (a) or
// deleted (deleted): the user's roles count their users, and those
// counts are not followed one by one, so the roles read are forgotten.
func (d *providerData) userWritten(a *lm.Admin, deleted int32) {
	if a != nil {
		d.users.put(*a)
	}
	if deleted != 0 {
		d.users.remove(deleted)
	}
	d.roles.forgetAll()
}

// roleWritten records a role this process created, changed (r) or
// deleted (deleted): a changed role's name shows in its users' roles, so
// the users read are forgotten.
func (d *providerData) roleWritten(r *lm.Role, deleted int32) {
	if r != nil {
		d.roles.put(*r)
		d.users.forgetAll()
	}
	if deleted != 0 {
		d.roles.remove(deleted)
	}
}
