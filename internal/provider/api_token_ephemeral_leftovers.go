package provider

import (
	"context"
	"errors"
	"sync"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// Terraform closes an ephemeral resource from a graph node that runs after
// everything depending on it; when one of those fails, OpenTofu 1.12 skips
// the close node and never calls Close. The provider therefore remembers
// every token it opened and not yet closed, and main deletes the leftovers
// when the CLI shuts the provider down at the end of the run.
var openEphemeral = &ephemeralRegistry{open: map[ephemeralTokenRef]*lm.Client{}}

type ephemeralRegistry struct {
	mu   sync.Mutex
	open map[ephemeralTokenRef]*lm.Client
}

func (r *ephemeralRegistry) add(ref ephemeralTokenRef, c *lm.Client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open[ref] = c
}

func (r *ephemeralRegistry) done(ref ephemeralTokenRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.open, ref)
}

// CloseEphemeralLeftovers deletes every ephemeral token this process opened
// and Terraform never closed. It returns how many it deleted.
func CloseEphemeralLeftovers(ctx context.Context) (int, error) {
	openEphemeral.mu.Lock()
	left := openEphemeral.open
	openEphemeral.open = map[ephemeralTokenRef]*lm.Client{}
	openEphemeral.mu.Unlock()

	var errs []error
	n := 0
	for ref, c := range left {
		err := c.DeleteAPIToken(ctx, ref.AdminID, ref.TokenID)
		if err != nil && !lm.IsNotFound(err) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
