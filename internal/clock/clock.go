// Package clock lets time-dependent code (LMv1 timestamps, rotation by age)
// be tested without sleeping.
package clock

import "time"

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Fixed always tells the same instant; tests move it with Set.
type Fixed struct{ T time.Time }

// Now returns the fixed instant.
func (f *Fixed) Now() time.Time { return f.T }

// Set moves the fixed instant.
func (f *Fixed) Set(t time.Time) { f.T = t }
