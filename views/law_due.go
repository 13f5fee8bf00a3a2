package views

import (
	"context"

	"sealportal/portal"
)

// DueDay is a deadline as it reads inside a sentence ("by %s"): the day, or
// "a date to be set when the official calendar is published" while it waits
// for the calendar of its year.
func DueDay(ctx context.Context, due portal.Date, awaits bool) string {
	if awaits {
		return T(ctx, "law.due_awaits_calendar_inline")
	}
	return FormatDay(LangOf(ctx), due)
}
