package lmsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The Admin properties of AdminProfile are kept and answered as written, so
// that a client that sets them (LogicMonitor's SDKs send the whole Admin
// object) reads back what it wrote. The simulator acts on none of them.
// Defaults and allowed values are those of LogicMonitor's "Add Users" page:
// contactMethod "email" (or "smsemail"), smsEmailFormat "sms" (or
// "fullText"), every tab visible, the flags false. UNCONFIRMED: that other
// contactMethod and smsEmailFormat values are refused (400), which tabs
// "every tab" names (those of LogicMonitor's v3 example), and that
// viewPermission may be any JSON object.
//
// Two writable Admin properties are not kept: apiTokens (tokens are made
// and changed through /apitokens; a user body's apiTokens is ignored,
// UNCONFIRMED) and createdBy (the simulator records who created the user,
// whatever the body says, UNCONFIRMED).

var (
	contactMethods  = []string{"email", "smsemail"}
	smsEmailFormats = []string{"sms", "fullText"}
)

// defaultViewPermission: every tab of LogicMonitor's v3 example visible.
var defaultViewPermission = json.RawMessage(`{"Resources":true,"Websites":true,"Reports":true,"Dashboards":true,"Alerts":true,"Settings":true,"Maps":true,"Logs":true,"Traces":true}`)

func defaultProfile() AdminProfile {
	return AdminProfile{
		ContactMethod:  contactMethods[0],
		SMSEmailFormat: smsEmailFormats[0],
		ViewPermission: slices.Clone(defaultViewPermission),
	}
}

// normalize fills the defaults of a fixture's user and checks its values.
func (p *AdminProfile) normalize() error {
	d := defaultProfile()
	if p.ContactMethod == "" {
		p.ContactMethod = d.ContactMethod
	}
	if p.SMSEmailFormat == "" {
		p.SMSEmailFormat = d.SMSEmailFormat
	}
	if len(p.ViewPermission) == 0 {
		p.ViewPermission = d.ViewPermission
	}
	var errs []error
	for _, msg := range []string{
		checkOneOf("contactMethod", p.ContactMethod, contactMethods),
		checkOneOf("smsEmailFormat", p.SMSEmailFormat, smsEmailFormats),
	} {
		if msg != "" {
			errs = append(errs, errors.New(msg))
		}
	}
	vp, msg := compactObject("viewPermission", p.ViewPermission)
	if msg != "" {
		errs = append(errs, errors.New(msg))
	}
	p.ViewPermission = vp
	return errors.Join(errs...)
}

func checkOneOf(field, v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return ""
	}
	return fmt.Sprintf("%s %q is invalid: use %s", field, v, strings.Join(allowed, " or "))
}

// compactObject checks that raw is a JSON object and returns it compacted,
// so that answers do not carry the client's whitespace.
func compactObject(field string, raw json.RawMessage) (json.RawMessage, string) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return raw, fmt.Sprintf("%s must be a JSON object of tab names, such as {\"Dashboards\": true}", field)
	}
	return buf.Bytes(), ""
}

// adminProfileBody is the AdminProfile part of a user body; pointers tell
// absent (or null, as the SDKs send unset properties) from set.
type adminProfileBody struct {
	AcceptEULA          *bool            `json:"acceptEULA"`
	ContactMethod       *string          `json:"contactMethod"`
	ForcePasswordChange *bool            `json:"forcePasswordChange"`
	Phone               *string          `json:"phone"`
	SMSEmail            *string          `json:"smsEmail"`
	SMSEmailFormat      *string          `json:"smsEmailFormat"`
	Timezone            *string          `json:"timezone"`
	TwoFAEnabled        *bool            `json:"twoFAEnabled"`
	ViewPermission      *json.RawMessage `json:"viewPermission"`
}

// apply copies the properties b sets onto p; p is unchanged on error.
func (b adminProfileBody) apply(p *AdminProfile) *apiError {
	n := *p
	if b.ContactMethod != nil {
		if msg := checkOneOf("contactMethod", *b.ContactMethod, contactMethods); msg != "" {
			return errorf(http.StatusBadRequest, "%s", msg)
		}
		n.ContactMethod = *b.ContactMethod
	}
	if b.SMSEmailFormat != nil {
		if msg := checkOneOf("smsEmailFormat", *b.SMSEmailFormat, smsEmailFormats); msg != "" {
			return errorf(http.StatusBadRequest, "%s", msg)
		}
		n.SMSEmailFormat = *b.SMSEmailFormat
	}
	if b.ViewPermission != nil {
		vp, msg := compactObject("viewPermission", *b.ViewPermission)
		if msg != "" {
			return errorf(http.StatusBadRequest, "%s", msg)
		}
		n.ViewPermission = vp
	}
	setIf(&n.AcceptEULA, b.AcceptEULA)
	setIf(&n.ForcePasswordChange, b.ForcePasswordChange)
	setIf(&n.Phone, b.Phone)
	setIf(&n.SMSEmail, b.SMSEmail)
	setIf(&n.Timezone, b.Timezone)
	setIf(&n.TwoFAEnabled, b.TwoFAEnabled)
	*p = n
	return nil
}

// adminProfileView is the AdminProfile part of an Admin answer: every
// property present, as the other properties of adminView are.
type adminProfileView struct {
	AcceptEULA          bool            `json:"acceptEULA"`
	ContactMethod       string          `json:"contactMethod"`
	ForcePasswordChange bool            `json:"forcePasswordChange"`
	Phone               string          `json:"phone"`
	SMSEmail            string          `json:"smsEmail"`
	SMSEmailFormat      string          `json:"smsEmailFormat"`
	Timezone            string          `json:"timezone"`
	TwoFAEnabled        bool            `json:"twoFAEnabled"`
	ViewPermission      json.RawMessage `json:"viewPermission"`
}

func (p AdminProfile) view() adminProfileView {
	return adminProfileView(p)
}
