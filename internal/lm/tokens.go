package lm

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// CreateAPITokenRequest describes a token to create.
type CreateAPITokenRequest struct {
	Note    string
	Enabled bool
	Type    string // TokenTypeLMv1 (or "") or TokenTypeBearer
}

// APITokenPatch holds the writable fields; nil fields are left unchanged.
type APITokenPatch struct {
	Note   *string `json:"note,omitempty"`
	Status *int32  `json:"status,omitempty"`
}

func tokenType(t string) (string, error) {
	switch t {
	case "", TokenTypeLMv1:
		return TokenTypeLMv1, nil
	case TokenTypeBearer:
		return TokenTypeBearer, nil
	}
	return "", fmt.Errorf("lm: unknown token type %q: want %q or %q", t, TokenTypeLMv1, TokenTypeBearer)
}

// typeQuery selects bearer tokens; LogicMonitor's default is LMv1, so
// nothing is sent for it.
func typeQuery(typ string) url.Values {
	q := url.Values{}
	if typ == TokenTypeBearer {
		q.Set("type", TokenTypeBearer)
	}
	return q
}

func tokensPath(adminID int32) string {
	return "/setting/admins/" + strconv.Itoa(int(adminID)) + "/apitokens"
}

func tokenPath(adminID, tokenID int32) string {
	return tokensPath(adminID) + "/" + strconv.Itoa(int(tokenID))
}

// ListAPITokens lists an admin's tokens of one type, all pages.
func (c *Client) ListAPITokens(ctx context.Context, adminID int32, opts ListOptions) ([]APIToken, error) {
	return collectAll(func() iter.Seq2[APIToken, error] { return c.tokens(ctx, adminID, opts) })
}

// ListAllAPITokens lists the account's tokens of one type, all pages.
func (c *Client) ListAllAPITokens(ctx context.Context, opts ListOptions) ([]APIToken, error) {
	return collectAll(func() iter.Seq2[APIToken, error] { return c.tokens(ctx, 0, opts) })
}

// APITokens yields the tokens of one type page by page, fetching the next
// page only when the caller keeps iterating: for callers that stream
// results or stop at a limit. adminID 0 means every user's tokens
// (GET /setting/admins/apitokens). An error ends the sequence.
func (c *Client) APITokens(ctx context.Context, adminID int32, opts ListOptions) iter.Seq2[APIToken, error] {
	return c.tokens(ctx, adminID, opts)
}

// tokens yields the tokens of opts.Type of one admin (0: all admins),
// each with its Type set. A token of another admin in one admin's list is
// an answer that is not LogicMonitor's: the list is not that admin's.
func (c *Client) tokens(ctx context.Context, adminID int32, opts ListOptions) iter.Seq2[APIToken, error] {
	p, err := c.APITokenPages(adminID, opts)
	if err != nil {
		return func(yield func(APIToken, error) bool) { yield(APIToken{}, err) }
	}
	return p.all(ctx)
}

// APITokenPages reads the tokens of opts.Type of one admin (0: every
// admin's, GET /setting/admins/apitokens) a page at a time (Pages), each
// with its Type set.
func (c *Client) APITokenPages(adminID int32, opts ListOptions) (*Pages[APIToken], error) {
	typ, err := tokenType(opts.Type)
	if err != nil {
		return nil, err
	}
	path := "/setting/admins/apitokens"
	if adminID != 0 {
		path = tokensPath(adminID)
	}
	p := newPages[APIToken](c, path, opts, typeQuery(typ))
	p.vet = func(t *APIToken) error {
		if adminID != 0 && t.AdminID != 0 && t.AdminID != adminID {
			return c.wrongAnswer(http.MethodGet, path,
				fmt.Sprintf("the list of user %d's tokens holds token %d of user %d", adminID, t.ID, t.AdminID))
		}
		t.Type = typ
		return nil
	}
	return p, nil
}

// UpdateAPIToken changes a token's note and/or status. Only non-nil fields
// are sent: PUT semantics would reset an omitted status to enabled.
func (c *Client) UpdateAPIToken(ctx context.Context, adminID, tokenID int32, p APITokenPatch) (*APIToken, error) {
	var tok APIToken
	if err := c.do(ctx, &call{method: http.MethodPatch, path: tokenPath(adminID, tokenID), in: p, out: &tok}); err != nil {
		return nil, err
	}
	if err := c.sameID(http.MethodPatch, tokenPath(adminID, tokenID), "token", tokenID, tok.ID); err != nil {
		return nil, err
	}
	return &tok, nil
}

// DeleteAPIToken deletes a token. A 404 is returned as an error (callers
// that treat it as done test IsNotFound), except after an attempt whose
// answer was lost or was a 5xx: that attempt may have deleted the token, so
// the 404 of the retry means success.
func (c *Client) DeleteAPIToken(ctx context.Context, adminID, tokenID int32) error {
	return c.do(ctx, &call{method: http.MethodDelete, path: tokenPath(adminID, tokenID)})
}
