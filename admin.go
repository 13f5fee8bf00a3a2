package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"sealportal/portal"
	"sealportal/store"
)

// runAdmin manages accounts from the command line: the only way staff and
// administrator accounts come to exist. It never prints personal data of
// citizens (their names and numbers are masked).
func runAdmin(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("admin: want a subcommand: create-user, list-users, disable-user, enable-user, end-sessions, reset-totp, load-calendar, confirm-calendar, move-documents, rotate-keys, list-organs, create-api-client, list-api-clients, rotate-api-client, revoke-api-client")
	}
	// rotate-keys must not open the store itself: a running server holds the
	// lock, and the rotation then runs inside it through the control socket.
	if args[0] == "rotate-keys" {
		return adminRotateKeys(args[1:], out)
	}
	// The organs' machine credentials (ingest.go), also through a running server.
	if apiAdminCommands[args[0]] {
		return runAPIAdmin(args[0], args[1:], out)
	}
	sub, args := args[0], args[1:]
	var c config
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	dataFlags(fs, &c)
	role := fs.String("role", "", "create-user: court, procuratorate, police, judicial_admin, supervisor, sysadmin or querying_unit")
	organ := fs.String("organ", "", "create-user: the organ, e.g. 北京市海淀区人民法院 (querying_unit: the unit's name)")
	unitKind := fs.String("unit-kind", "", "create-user -role querying_unit: judicial (a judicial organ, for a case) or regulated (a unit under a state regulation), R15")
	name := fs.String("name", "", "create-user: the official's name")
	login := fs.String("login", "", "create-user: username (default: role- and 10 random letters and digits, which nobody can guess)")
	id := fs.Uint64("id", 0, "disable-user, enable-user, end-sessions, reset-totp: account id (see list-users)")
	calFile := fs.String("file", "", "load-calendar: a calendar year's JSON (the format of portal/calendardata/*.json)")
	calYear := fs.Int("year", 0, "confirm-calendar: the calendar year checked against the State Council notice")
	calNotice := fs.String("notice", "", "confirm-calendar: the State Council notice it was checked against, e.g. 国办发明电〔2026〕7号")
	moveBatch := fs.Int("batch", 500, "move-documents: objects moved per write transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// On bbolt the file lock admits this process only while no server
	// runs; on PostgreSQL it runs beside the servers under the admin lock.
	db, done, err := c.openAdmin(false)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "create-user":
		return adminCreateUser(db, portal.Role(*role), *organ, *name, *login, *unitKind, out)
	case "list-users":
		return adminListUsers(db, out)
	case "load-calendar":
		return adminLoadCalendar(db, *calFile, out)
	case "confirm-calendar":
		return adminConfirmCalendar(db, *calYear, *calNotice, out)
	case "disable-user", "enable-user":
		if *id == 0 {
			return errors.New("admin: -id is required")
		}
		if err := db.SetDisabled(*id, sub == "disable-user", 0); err != nil {
			return fmt.Errorf("admin %s %d: %w", sub, *id, err)
		}
		fmt.Fprintf(out, "account %d %sd; its sessions have ended\n", *id, strings.TrimSuffix(sub, "-user"))
		return nil
	case "end-sessions":
		if *id == 0 {
			return errors.New("admin: -id is required")
		}
		if _, err := db.Account(*id); err != nil {
			return fmt.Errorf("admin end-sessions %d: %w", *id, err)
		}
		if err := db.EndSessions(*id, 0, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(out, "every session of account %d has ended\n", *id)
		return nil
	case "reset-totp":
		return adminResetTOTP(db, *id, out)
	case "move-documents":
		return adminMoveDocuments(db, *moveBatch, out)
	}
	return fmt.Errorf("admin: unknown subcommand %q", sub)
}

func adminCreateUser(db *store.DB, role portal.Role, organ, name, login, unitKind string, out io.Writer) error {
	if !role.IsStaff() {
		return fmt.Errorf("admin create-user: -role must be one of %v (citizens register themselves)", portal.StaffRoles)
	}
	// The same checks and the same transaction as the administrator's web
	// form (store.CreateOfficial): R15's unit kind, the organ, the login.
	password := portal.OneTimePassword()
	hasher := portal.NewPasswordHasher(portal.DefaultArgon2)
	a, _, err := db.CreateOfficial(portal.NewOfficial{Role: role, Organ: organ, Name: name, Login: login, UnitKind: unitKind},
		password, hasher.Hash, 0)
	if err != nil {
		if pe, ok := portal.AsError(err); ok && len(pe.Fields) > 0 {
			if pe.Fields["unit_kind"] != "" {
				return fmt.Errorf("admin create-user: -unit-kind must be one of %v for a querying unit, and only for one", portal.QueryUnitKinds)
			}
			return fmt.Errorf("admin create-user: check %v", pe.Fields)
		}
		return fmt.Errorf("admin create-user: %w", err)
	}
	fmt.Fprintf(out, "created account %d (%s, %s)\nusername: %s\none-time password: %s\nIt must be changed at first login.\n",
		a.ID, a.Role, a.Organ, a.Login, password)
	return nil
}

func adminListUsers(db *store.DB, out io.Writer) error {
	accts, err := db.Accounts()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tLOGIN\tORGAN\tSTATUS\tCREATED")
	for _, a := range accts {
		status := "active"
		switch {
		case a.Disabled:
			status = "disabled"
		case a.MustChangePassword:
			status = "must-change-password"
		}
		login := a.Login
		if a.Role.IsCitizen() {
			login = portal.MaskMobile(a.Login) // citizens' logins are their mobile numbers
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Role, login, a.Organ, status, a.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}

// assignOrgan registers the official's organ (once per kind and name) and
// records its id on the account. The supervisor belongs to a procuratorate.
func assignOrgan(db *store.DB, a *portal.Account) error {
	kind := a.Role
	switch {
	case kind == portal.RoleSupervisor:
		kind = portal.RoleProcuratorate
	case !kind.IsOrgan():
		return nil
	}
	if strings.TrimSpace(a.Organ) == "" {
		return errors.New("-organ is required for this role")
	}
	o, err := db.EnsureOrgan(kind, a.Organ)
	if err != nil {
		return err
	}
	a.OrganID, a.Organ = o.ID, o.Name
	return nil
}

// adminLoadCalendar validates a calendar year's JSON and stores it, so that
// deadlines in that year can be computed from the next start on.
func adminLoadCalendar(db *store.DB, path string, out io.Writer) error {
	if path == "" {
		return errors.New("admin load-calendar: -file is required")
	}
	raw, err := os.ReadFile(filepath.Clean(path)) // #nosec G304 G703 -- the operator names this file on the command line
	if err != nil {
		return fmt.Errorf("admin load-calendar: %w", err)
	}
	y, err := portal.ParseCalendarYear(raw)
	if err != nil {
		return fmt.Errorf("admin load-calendar %s: %w", path, err)
	}
	set, err := db.PutCalendarYear(y, raw, 0)
	if err != nil {
		return fmt.Errorf("admin load-calendar: %w", err)
	}
	fmt.Fprintf(out, "calendar %d loaded: %d days off, %d weekend days worked (source: %s); %d deadlines that waited for it are set; restart the portal to use it\n",
		y.Year, len(y.Off), len(y.Worked), y.Source.Authority, set)
	if !y.Source.Official {
		fmt.Fprintf(out, "calendar %d is provisional (not marked as checked against the State Council notice): check it, then run admin confirm-calendar -year %d -notice \"...\"\n", y.Year, y.Year)
	}
	return nil
}

// adminConfirmCalendar records that the operator checked a calendar year
// loaded from a non-official source against the State Council notice (named
// by -notice); deadlines on it are then no longer marked provisional. Audited.
func adminConfirmCalendar(db *store.DB, year int, notice string, out io.Writer) error {
	if year == 0 {
		return errors.New("admin confirm-calendar: -year is required")
	}
	if strings.TrimSpace(notice) == "" {
		return errors.New("admin confirm-calendar: -notice is required (the State Council notice the year was checked against)")
	}
	if err := db.ConfirmCalendarYear(year, notice, 0); err != nil {
		return fmt.Errorf("admin confirm-calendar %d: %w", year, err)
	}
	fmt.Fprintf(out, "calendar %d confirmed against %s; restart the portal to use it\n", year, strings.TrimSpace(notice))
	return nil
}

// adminMoveDocuments is `admin move-documents -blob-url s3://…`: the
// documents' objects kept in the database (stored before the external object
// store was configured) are copied to it and deleted from the database, in
// batches; documents stay readable throughout (issue 15). Interrupted, it is
// finished by running it again.
func adminMoveDocuments(db *store.DB, batch int, out io.Writer) error {
	if batch <= 0 {
		return errors.New("admin move-documents: -batch must be positive")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	n, err := db.MoveDocumentObjects(ctx, batch)
	if err != nil {
		return fmt.Errorf("admin move-documents: %d moved, then: %w (run it again to finish)", n, err)
	}
	fmt.Fprintf(out, "%d document objects moved from the database to the object store (%s)\n", n, db.Blobs().Name())
	return nil
}
