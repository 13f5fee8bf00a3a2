package handlers

import (
	"strconv"

	"sealportal/portal"
	"sealportal/store"
	"sealportal/views"
)

// The leak reports in the supervision console (R25), read through the leak
// reports' store (store/leaks.go). Kept apart so that the console works, with
// leaks left out, without it.

func init() {
	statuses := make([]string, 0, len(portal.LeakStatuses))
	for _, s := range portal.LeakStatuses {
		statuses = append(statuses, string(s))
	}
	supLeaks = &supLeakHooks{
		statuses: statuses,
		open: func(db *store.DB) (int, error) {
			_, total, err := db.LeakQueue(store.LeakFilter{Limit: 1})
			return total, err
		},
		rows: func(db *store.DB, status string, overdueOnly bool, n int, today portal.Date) ([]views.SupervisionRow, int, error) {
			return supChunk(n, func(offset, limit int) ([]views.SupervisionRow, int, error) {
				rows, total, err := db.LeakQueue(store.LeakFilter{Status: status, OverdueOnly: overdueOnly, Offset: offset, Limit: limit})
				if err != nil {
					return nil, 0, err
				}
				out := make([]views.SupervisionRow, 0, len(rows))
				for _, r := range rows {
					open := portal.LeakStatus(r.Status).Open()
					out = append(out, views.SupervisionRow{Kind: supKindLeak, ID: r.ID, Ref: r.Ref, Status: r.Status,
						StatusKey: "leak.status." + r.Status, Due: r.Due, Overdue: open && !r.Due.IsZero() && today.After(r.Due),
						DueAwaitsCalendar: r.AwaitsCalendar, Received: r.Received, URL: "/supervision/leaks/" + strconv.FormatUint(r.ID, 10)})
				}
				return out, total, nil
			})
		},
	}
}
