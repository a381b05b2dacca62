package credentials

// Derived profiles (#28) store their subject and actor by ID, which means
// nothing on another machine: an export names them, an import finds them
// by name again.

// exportDerivedRefs replaces c's subject and actor IDs with the names of
// those profiles among ps (the exported ones); a reference to a profile not
// exported keeps its ID and is reported on import.
func exportDerivedRefs(c Profile, ps []Profile) Profile {
	for _, ref := range []*string{&c.SubjectProfile, &c.ActorProfile} {
		for _, o := range ps {
			if *ref != "" && o.ID == *ref {
				*ref = o.Name
				break
			}
		}
	}
	return c
}

// resolveDerivedRefs turns the subject and actor names of imported
// profiles into the IDs of the profiles of those names (names maps NameKey
// to the profiles stored, imported ones included).
func resolveDerivedRefs(ps []Profile, names map[string]Profile) {
	for i := range ps {
		for _, ref := range []*string{&ps[i].SubjectProfile, &ps[i].ActorProfile} {
			if *ref == "" {
				continue
			}
			if o, ok := names[NameKey(*ref)]; ok && o.ID != "" {
				*ref = o.ID
			}
		}
	}
}
