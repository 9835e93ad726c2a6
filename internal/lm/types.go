package lm

// API objects, shaped as the LogicMonitor Swagger definitions of the same
// names (../shared/lm-api/swagger-admins-apitokens.json). Only the fields the
// provider reads or writes are typed; the rest are ignored on decode.

// Token status values: LogicMonitor encodes enabled/disabled as 2/1.
const (
	StatusDisabled int32 = 1
	StatusEnabled  int32 = 2
)

// Token types. LogicMonitor has no type field on the APIToken object: the
// type is chosen by the `type` query parameter when creating or listing.
const (
	TokenTypeLMv1   = "lmv1"
	TokenTypeBearer = "bearer"
)

// APIToken is the Swagger APIToken definition.
type APIToken struct {
	ID             int32    `json:"id,omitempty"`
	AccessID       string   `json:"accessId,omitempty"`
	AccessKey      string   `json:"accessKey,omitempty"`
	AdminID        int32    `json:"adminId,omitempty"`
	AdminName      string   `json:"adminName,omitempty"`
	Roles          []string `json:"roles,omitempty"`
	Note           string   `json:"note"`
	Status         int32    `json:"status,omitempty"`
	CreatedOn      int64    `json:"createdOn,omitempty"`
	LastUsedOn     int64    `json:"lastUsedOn,omitempty"`
	CreatedBy      string   `json:"createdBy,omitempty"`
	UserPermission string   `json:"userPermission,omitempty"`
	LastAuthIP     string   `json:"lastAuthIp,omitempty"`

	// Type is not part of the API object: the client fills it from the
	// `type` query of the call that returned the token.
	Type string `json:"-"`
}

// Enabled reports whether the token can authenticate.
func (t APIToken) Enabled() bool { return t.Status != StatusDisabled }

// RoleRef is a role as embedded in an Admin. Writes send only the id.
type RoleRef struct {
	ID   int32  `json:"id"`
	Name string `json:"name,omitempty"`
}

// Admin statuses.
const (
	AdminActive    = "active"
	AdminSuspended = "suspended"
)

// Admin is the Swagger Admin definition (a LogicMonitor user), as read.
// The password is write-only: see AdminWrite.
type Admin struct {
	ID        int32     `json:"id,omitempty"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName,omitempty"`
	LastName  string    `json:"lastName,omitempty"`
	Roles     []RoleRef `json:"roles"`
	APIOnly   bool      `json:"apionly"`
	Status    string    `json:"status,omitempty"`
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"createdBy,omitempty"`
}

// RoleIDs returns the ids of the user's roles.
func (a Admin) RoleIDs() []int32 {
	ids := make([]int32, 0, len(a.Roles))
	for _, r := range a.Roles {
		ids = append(ids, r.ID)
	}
	return ids
}

// Privilege is the Swagger Privilege definition: what a role may do on one
// kind of object. ObjectName and SubOperation are read-only.
type Privilege struct {
	ObjectType   string `json:"objectType"`
	ObjectID     string `json:"objectId"`
	ObjectName   string `json:"objectName,omitempty"`
	Operation    string `json:"operation"`
	SubOperation string `json:"subOperation,omitempty"`
}

// Privilege operations LogicMonitor documents for the privileges of a role
// (REST API guide, "About the Roles Resource"): view, manage and, for
// device groups, acknowledge.
const (
	OperationRead  = "read"
	OperationWrite = "write"
	OperationAck   = "ack"
)

// PrivilegeOperations lists the valid Privilege.Operation values.
var PrivilegeOperations = []string{OperationRead, OperationWrite, OperationAck}

// Role is the Swagger Role definition, plus roleGroupId, which LogicMonitor
// added after the Swagger subset this client was written from (its own
// Terraform provider and SDKs have it).
type Role struct {
	ID                  int32       `json:"id,omitempty"`
	Name                string      `json:"name"`
	Description         string      `json:"description,omitempty"`
	Privileges          []Privilege `json:"privileges"`
	TwoFARequired       bool        `json:"twoFARequired"`
	RequireEULA         bool        `json:"requireEULA"`
	RoleGroupID         int32       `json:"roleGroupId"`
	AssociatedUserCount int32       `json:"associatedUserCount,omitempty"`
}

// ErrorResponse is the Swagger ErrorResponse definition (API v2/v3 errors).
type ErrorResponse struct {
	ErrorCode    int32  `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	ErrorDetail  any    `json:"errorDetail,omitempty"`
}

// Page is the shape of every list response (ApiTokenPaginationResponse,
// AdminPaginationResponse, RolePaginationResponse). The client decodes
// through pageAnswer (decode.go), which tells a missing or null field from
// 0 and [] and refuses both.
type Page[T any] struct {
	Total    int32   `json:"total"`
	SearchID *string `json:"searchId"`
	Items    []T     `json:"items"`
}
