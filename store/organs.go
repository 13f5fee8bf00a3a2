package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"sealportal/portal"
	"sealportal/store/kv"
)

// Organs are registered when the first official of an organ is created (admin
// create-user) or by seed. Names are public (they are authorities), so they
// are stored in clear.

type organRecord struct {
	Kind portal.Role `json:"kind"`
	Name string      `json:"name"`
}

func organNameKey(kind portal.Role, name string) []byte {
	return []byte(string(kind) + "\x00" + name)
}

// EnsureOrgan returns the id of the organ of that kind and name, creating it
// when new.
func (db *DB) EnsureOrgan(kind portal.Role, name string) (portal.Organ, error) {
	name = strings.TrimSpace(name)
	if !kind.IsOrgan() && kind != portal.RoleSupervisor {
		return portal.Organ{}, fmt.Errorf("store: %q is not an organ kind", kind)
	}
	if name == "" {
		return portal.Organ{}, portal.Invalid("account.organ_required")
	}
	o := portal.Organ{Kind: kind, Name: name}
	err := db.update(func(tx kv.Tx) error {
		byName := tx.Bucket(bucketOrgansByName)
		if v := byName.Get(organNameKey(kind, name)); v != nil {
			o.ID = btoi(v)
			return nil
		}
		b := tx.Bucket(bucketOrgans)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		o.ID = id
		raw, err := json.Marshal(organRecord{Kind: kind, Name: name})
		if err != nil {
			return err
		}
		if err := b.Put(itob(id), raw); err != nil {
			return err
		}
		if err := byName.Put(organNameKey(kind, name), itob(id)); err != nil {
			return err
		}
		return db.appendAudit(tx, portal.AuditEvent{Action: portal.AuditOrganCreated, SubjectKind: "organ", SubjectID: id, Detail: string(kind)})
	})
	return o, err
}

// Organs lists every organ in id order.
func (db *DB) Organs() ([]portal.Organ, error) {
	var out []portal.Organ
	err := db.view(func(tx kv.Tx) error {
		return tx.Bucket(bucketOrgans).ForEach(func(k, v []byte) error {
			var r organRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, portal.Organ{ID: btoi(k), Kind: r.Kind, Name: r.Name})
			return nil
		})
	})
	return out, err
}

// Organ returns one organ.
func (db *DB) Organ(id uint64) (portal.Organ, error) {
	var o portal.Organ
	err := db.view(func(tx kv.Tx) error {
		v := tx.Bucket(bucketOrgans).Get(itob(id))
		if v == nil {
			return portal.NotFound()
		}
		var r organRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		o = portal.Organ{ID: id, Kind: r.Kind, Name: r.Name}
		return nil
	})
	return o, err
}
