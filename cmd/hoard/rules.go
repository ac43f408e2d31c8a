package main

import (
	"fmt"

	"hoard/library"
)

// parseRules turns --rule specs into rules for library.Include.
// TODO(rules): replaced by the rules engine (library/rules) in its own change.
func parseRules(specs []string) ([]library.Rule, error) {
	if len(specs) > 0 {
		return nil, fmt.Errorf("--rule is not available in this build")
	}
	return nil, nil
}
