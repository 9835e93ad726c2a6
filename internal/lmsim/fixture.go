package lmsim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Credentials of the default fixture (default_fixture.json), for tests, the
// demo and the docs. They are fake and only ever valid against lmsim.
const (
	// DefaultAdminID is the API-only administrator "terraform".
	DefaultAdminID int32 = 100
	// DefaultAdminTokenID is its LMv1 token.
	DefaultAdminTokenID   int32 = 100
	DefaultAdminAccessID        = "lmsimTerraformAdmin1"
	DefaultAdminAccessKey       = "lmsim+terraform+admin+key+0123456789abcd"
	// DefaultAdminBearerTokenID is its bearer token; DefaultAdminBearer is
	// the secret sent as "Authorization: Bearer ...".
	DefaultAdminBearerTokenID  int32 = 101
	DefaultAdminBearerAccessID       = "lmsimTerraformBearer"
	DefaultAdminBearer               = "lmb_lmsim_terraform_admin_bearer_0123456789"

	// SeedAdminID and SeedTokenID are user 131 and token 146 of LogicMonitor's
	// "Delete API Tokens" example, with the example's own credentials, so
	// that the documented script runs unchanged against the simulator.
	SeedAdminID   int32 = 131
	SeedTokenID   int32 = 146
	SeedAccessID        = "48v2wRzfK94y53sq5EuF"
	SeedAccessKey       = "H_D9i(f5~B^U36^K6i42=^nS~e75gy382Bf6{)P+"

	// PipelineAdminID is "svc-pipeline", a read-only API user without tokens.
	PipelineAdminID int32 = 140

	// DefaultReadOnlyAdminID is "auditor", whose token can read but not write.
	DefaultReadOnlyAdminID   int32 = 141
	DefaultReadOnlyTokenID   int32 = 150
	DefaultReadOnlyAccessID        = "lmsimAuditorReadOnly"
	DefaultReadOnlyAccessKey       = "lmsim+auditor+readonly+key+0123456789abc"

	// SuspendedAdminID is "former-employee", status "suspended".
	SuspendedAdminID int32 = 142
)

// Token status values, as LogicMonitor encodes them.
const (
	StatusDisabled int32 = 1
	StatusEnabled  int32 = 2
)

// Token types. The API has no such field: the `type` query parameter picks
// the kind on create and list. The fixture records it so that bearer tokens
// survive a restart.
const (
	TokenTypeLMv1   = "lmv1"
	TokenTypeBearer = "bearer"
)

// AdministratorRole is the role name that grants write access.
const AdministratorRole = "administrator"

// Admin user statuses.
const (
	AdminActive    = "active"
	AdminSuspended = "suspended"
)

//go:embed default_fixture.json
var defaultFixtureJSON []byte

// Fixture is the simulator's whole account: the --fixture file, and with
// NextIDs the --state file. Field names are LogicMonitor's own.
type Fixture struct {
	Roles     []Role  `json:"roles"`
	Admins    []Admin `json:"admins"`
	APITokens []Token `json:"apiTokens"`
	// NextIDs is written to the state file only: LogicMonitor never reuses
	// an id, so a restart must not hand out the id of a deleted object.
	NextIDs *NextIDs `json:"nextIds,omitempty"`
}

// NextIDs are the ids the next created objects will get.
type NextIDs struct {
	Roles     int32 `json:"roles"`
	Admins    int32 `json:"admins"`
	APITokens int32 `json:"apiTokens"`
}

// Role is the Swagger Role definition: every writable property, plus
// roleGroupId (see roleView). The read-only ones are computed (id,
// associatedUserCount) or account settings the simulator does not model.
type Role struct {
	ID              int32       `json:"id"`
	Name            string      `json:"name"`
	Description     string      `json:"description,omitempty"`
	Privileges      []Privilege `json:"privileges,omitempty"`
	TwoFARequired   bool        `json:"twoFARequired,omitempty"`
	RequireEULA     bool        `json:"requireEULA,omitempty"`
	RoleGroupID     int32       `json:"roleGroupId,omitempty"`
	CustomHelpLabel string      `json:"customHelpLabel,omitempty"`
	CustomHelpURL   string      `json:"customHelpURL,omitempty"`
}

// Privilege is the Swagger Privilege definition.
type Privilege struct {
	ObjectID     string `json:"objectId"`
	ObjectName   string `json:"objectName,omitempty"`
	ObjectType   string `json:"objectType"`
	Operation    string `json:"operation"`
	SubOperation string `json:"subOperation,omitempty"`
}

// RoleRef is a role as embedded in an Admin (the Swagger says Role; only
// id and name are ever filled).
type RoleRef struct {
	ID   int32  `json:"id"`
	Name string `json:"name"`
}

// Admin is a LogicMonitor user. There is no password field: the simulator
// accepts one on create and update and throws it away, so it can never be
// returned or written to disk.
type Admin struct {
	ID        int32     `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName,omitempty"`
	LastName  string    `json:"lastName,omitempty"`
	Roles     []RoleRef `json:"roles"`
	APIOnly   bool      `json:"apionly"`
	Status    string    `json:"status"`
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"createdBy,omitempty"`
	AdminProfile
}

// AdminProfile holds the writable Admin properties that the simulator keeps
// and answers but does not act on: contact details, the EULA and
// two-factor flags, and the tabs the user sees (see profile.go).
type AdminProfile struct {
	AcceptEULA          bool            `json:"acceptEULA,omitempty"`
	ContactMethod       string          `json:"contactMethod,omitempty"`
	ForcePasswordChange bool            `json:"forcePasswordChange,omitempty"`
	Phone               string          `json:"phone,omitempty"`
	SMSEmail            string          `json:"smsEmail,omitempty"`
	SMSEmailFormat      string          `json:"smsEmailFormat,omitempty"`
	Timezone            string          `json:"timezone,omitempty"`
	TwoFAEnabled        bool            `json:"twoFAEnabled,omitempty"`
	ViewPermission      json.RawMessage `json:"viewPermission,omitempty"`
}

// Token is an API token as the simulator stores it: the API object plus its
// secret and its type. API answers are built from it by tokenView.
type Token struct {
	ID         int32  `json:"id"`
	AdminID    int32  `json:"adminId"`
	Type       string `json:"type,omitempty"`
	AccessID   string `json:"accessId"`
	AccessKey  string `json:"accessKey"`
	Note       string `json:"note"`
	Status     int32  `json:"status"`
	CreatedOn  int64  `json:"createdOn"`
	CreatedBy  string `json:"createdBy,omitempty"`
	LastUsedOn int64  `json:"lastUsedOn,omitempty"`
	LastAuthIP string `json:"lastAuthIp,omitempty"`
}

// Bearer reports whether the token authenticates as "Authorization: Bearer".
func (t Token) Bearer() bool { return t.Type == TokenTypeBearer }

// storedTokenType is the type a fixture or AddToken gives a token in the
// simulator's own names, any case, "" meaning LMv1. (The API's `type`
// query takes more spellings: call.tokenType.)
func storedTokenType(t string) (string, bool) {
	switch strings.ToLower(t) {
	case "", TokenTypeLMv1:
		return TokenTypeLMv1, true
	case TokenTypeBearer:
		return TokenTypeBearer, true
	}
	return "", false
}

// DefaultFixture returns a fresh copy of the embedded default account.
func DefaultFixture() *Fixture {
	f, err := parseFixture(defaultFixtureJSON)
	if err != nil {
		panic("lmsim: embedded default fixture: " + err.Error())
	}
	return f
}

// LoadFixture reads and checks a fixture or state file.
func LoadFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: reading the file the operator named is the point
	if err != nil {
		return nil, err
	}
	f, err := parseFixture(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func parseFixture(b []byte) (*Fixture, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	// A typo in a hand-written fixture should fail loudly, not silently
	// drop a field.
	dec.DisallowUnknownFields()
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if err := f.normalize(); err != nil {
		return nil, err
	}
	return &f, nil
}

// normalize fills defaults and rejects fixtures the server could not serve
// consistently (dangling references, duplicate ids or credentials).
func (f *Fixture) normalize() error {
	var errs []error
	roles := map[int32]string{}
	for i := range f.Roles {
		r := &f.Roles[i]
		if r.ID <= 0 {
			errs = append(errs, fmt.Errorf("roles[%d]: id must be positive", i))
		}
		if _, dup := roles[r.ID]; dup {
			errs = append(errs, fmt.Errorf("roles[%d]: duplicate id %d", i, r.ID))
		}
		if r.Name == "" {
			errs = append(errs, fmt.Errorf("roles[%d]: name is empty", i))
		}
		roles[r.ID] = r.Name
	}
	admins := map[int32]bool{}
	usernames := map[string]bool{}
	for i := range f.Admins {
		a := &f.Admins[i]
		if a.ID <= 0 {
			errs = append(errs, fmt.Errorf("admins[%d]: id must be positive", i))
		}
		if admins[a.ID] {
			errs = append(errs, fmt.Errorf("admins[%d]: duplicate id %d", i, a.ID))
		}
		admins[a.ID] = true
		if a.Username == "" || usernames[a.Username] {
			errs = append(errs, fmt.Errorf("admins[%d]: username %q is empty or taken", i, a.Username))
		}
		usernames[a.Username] = true
		if a.Status == "" {
			a.Status = AdminActive
		}
		if a.Status != AdminActive && a.Status != AdminSuspended {
			errs = append(errs, fmt.Errorf("admins[%d]: status %q is neither %q nor %q", i, a.Status, AdminActive, AdminSuspended))
		}
		if err := a.AdminProfile.normalize(); err != nil {
			errs = append(errs, fmt.Errorf("admins[%d]: %w", i, err))
		}
		if a.Roles == nil {
			a.Roles = []RoleRef{}
		}
		for j := range a.Roles {
			name, ok := roles[a.Roles[j].ID]
			if !ok {
				errs = append(errs, fmt.Errorf("admins[%d]: role %d does not exist", i, a.Roles[j].ID))
			}
			a.Roles[j].Name = name
		}
	}
	tokens := map[int32]bool{}
	accessIDs := map[string]bool{}
	secrets := map[string]bool{}
	for i := range f.APITokens {
		t := &f.APITokens[i]
		if t.ID <= 0 {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: id must be positive", i))
		}
		if tokens[t.ID] {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: duplicate id %d", i, t.ID))
		}
		tokens[t.ID] = true
		if !admins[t.AdminID] {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: admin %d does not exist", i, t.AdminID))
		}
		if t.AccessID == "" || accessIDs[t.AccessID] {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: accessId %q is empty or taken", i, t.AccessID))
		}
		accessIDs[t.AccessID] = true
		if t.AccessKey == "" || secrets[t.AccessKey] {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: accessKey is empty or shared with another token", i))
		}
		secrets[t.AccessKey] = true
		if typ, ok := storedTokenType(t.Type); ok {
			t.Type = typ
		} else {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: type %q is neither %q nor %q", i, t.Type, TokenTypeLMv1, TokenTypeBearer))
		}
		if t.Status == 0 {
			t.Status = StatusEnabled
		}
		if t.Status != StatusEnabled && t.Status != StatusDisabled {
			errs = append(errs, fmt.Errorf("apiTokens[%d]: status %d is neither 1 nor 2", i, t.Status))
		}
	}
	return errors.Join(errs...)
}

func (f *Fixture) clone() *Fixture {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err)
	}
	var c Fixture
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}
