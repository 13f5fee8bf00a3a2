package main

import (
	"errors"
	"fmt"
	"io"

	"sealportal/store"
)

// adminResetTOTP serves `admin reset-totp -id N`: it removes the account's
// second factor and recovery codes and ends its sessions, for an official who
// lost the phone and the codes (identity checked by other means first). The
// official enrols again at the next login; the reset is audited.
func adminResetTOTP(db *store.DB, id uint64, out io.Writer) error {
	if id == 0 {
		return errors.New("admin: -id is required")
	}
	if err := db.ResetTOTP(id, 0, "cli"); err != nil {
		return fmt.Errorf("admin reset-totp %d: %w", id, err)
	}
	fmt.Fprintf(out, "two-step verification of account %d was reset; its sessions have ended and it enrols again at the next login\n", id)
	return nil
}
