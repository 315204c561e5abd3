package repo

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/normkit/norm/sqlb"
)

// RelKind is the kind of a relation between two models.
type RelKind string

// Relation kinds.
const (
	BelongsTo  RelKind = "belongs_to"   // this row's FK column points at the related row
	HasOne     RelKind = "has_one"      // the related row's FK column points at this row
	HasMany    RelKind = "has_many"     // like HasOne, many related rows
	ManyToMany RelKind = "many_to_many" // rows linked through a join table
)

// Relation declares a relation of a model, as a struct tag would:
//
//	Author   *User     `norm:"rel:belongs_to,fk:author_id"`          // posts.author_id -> users.id
//	Profile  *Profile  `norm:"rel:has_one,fk:user_id"`               // profiles.user_id -> users.id
//	Posts    []Post    `norm:"rel:has_many,fk:author_id"`            // posts.author_id -> users.id
//	Tags     []Tag     `norm:"rel:many_to_many,join:post_tags,fk:post_id,ref_fk:tag_id"`
//
// FK is the foreign-key column: on the owning model for BelongsTo, on the
// related model for HasOne/HasMany, and for ManyToMany the join-table
// column pointing at the owner (JoinRef is the one pointing at the related
// model). Ref is the referenced column (default: the primary key of the
// referenced model). The field is a *R or R for BelongsTo/HasOne and a []R
// or []*R for HasMany/ManyToMany.
type Relation struct {
	Field   string // Go field name on the owning struct
	Kind    RelKind
	FK      string
	Ref     string
	Join    string // ManyToMany join table
	JoinRef string // ManyToMany join column pointing at the related model
}

// WithRelation declares relations of T in code, for fields without a
// rel: tag (a tag on the same field wins). Such a field must be kept out
// of the columns with db:"-". Relations of related models used
// in nested paths come from their tags.
func WithRelation(rels ...Relation) Option {
	return func(c *config) { c.relations = append(c.relations, rels...) }
}

// relation is a resolved relation.
type relation struct {
	name     string
	kind     RelKind
	index    []int        // the relation field on the owner
	many     bool         // field is a slice
	ptr      bool         // field (or slice element) is a pointer
	owner    *sqlb.Model  // owning model
	target   *sqlb.Model  // related model
	ownerKey *sqlb.Field  // owner column matched (FK for belongs_to, else Ref)
	tgtKey   *sqlb.Field  // target column matched (Ref for belongs_to, else FK)
	join     string       // quoted join table (many_to_many)
	joinFK   string       // quoted join column -> owner
	joinRef  string       // quoted join column -> target
	elemType reflect.Type // the related struct type
}

type relKey struct {
	t    reflect.Type
	name string
}

var relCache sync.Map // relKey -> *relation, for tag-declared relations

// relationOf resolves relation name of model owner, from code
// declarations (extra, for the repository's own type) or tags.
func relationOf(owner *sqlb.Model, name string, extra []Relation) (*relation, error) {
	if !hasTagRel(owner, name) {
		for _, d := range extra {
			if d.Field == name {
				return resolveRelation(owner, d)
			}
		}
	}
	k := relKey{owner.Type, name}
	if v, ok := relCache.Load(k); ok {
		return v.(*relation), nil
	}
	for _, f := range owner.Relations {
		if f.Name != name {
			continue
		}
		d, err := relationFromTag(f)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", owner.Name, name, err)
		}
		rel, err := resolveRelation(owner, d)
		if err != nil {
			return nil, err
		}
		relCache.Store(k, rel)
		return rel, nil
	}
	return nil, fmt.Errorf("%w: %s has no relation %q", ErrInvalid, owner.Name, name)
}

func hasTagRel(m *sqlb.Model, name string) bool {
	for _, f := range m.Relations {
		if f.Name == name {
			return true
		}
	}
	return false
}

// relationFromTag reads rel:kind,fk:…,ref:…,join:…,ref_fk:… tokens.
func relationFromTag(f *sqlb.Field) (Relation, error) {
	d := Relation{Field: f.Name, Kind: RelKind(f.Rel)}
	for _, o := range f.Options {
		switch o.Key {
		case "rel":
		case "fk":
			d.FK = o.Value
		case "ref":
			d.Ref = o.Value
		case "join":
			d.Join = o.Value
		case "ref_fk":
			d.JoinRef = o.Value
		default:
			return d, fmt.Errorf("%w: unknown relation token %q", ErrInvalid, o.Key)
		}
	}
	return d, nil
}

// resolveRelation checks d against the models and builds the relation.
func resolveRelation(owner *sqlb.Model, d Relation) (*relation, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: relation %s.%s: %s", ErrInvalid, owner.Name, d.Field, fmt.Sprintf(format, args...))
	}
	sf, ok := owner.Type.FieldByName(d.Field)
	if !ok {
		return nil, fail("no such field")
	}
	rel := &relation{name: d.Field, kind: d.Kind, index: sf.Index, owner: owner}
	t := sf.Type
	if t.Kind() == reflect.Slice {
		rel.many, t = true, t.Elem()
	}
	if t.Kind() == reflect.Pointer {
		rel.ptr, t = true, t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fail("field type %s is not a struct, pointer or slice of structs", sf.Type)
	}
	rel.elemType = t
	target, err := sqlb.ModelFor(t)
	if err != nil {
		return nil, fail("%v", err)
	}
	rel.target = target
	if d.FK == "" {
		return nil, fail("fk: is required")
	}
	switch d.Kind {
	case BelongsTo:
		if rel.many {
			return nil, fail("belongs_to needs a *R or R field")
		}
		rel.ownerKey, rel.tgtKey = owner.Field(d.FK), refField(target, d.Ref)
	case HasOne, HasMany:
		if rel.many != (d.Kind == HasMany) {
			return nil, fail("%s needs a %s field", d.Kind, map[bool]string{true: "slice", false: "*R or R"}[d.Kind == HasMany])
		}
		rel.ownerKey, rel.tgtKey = refField(owner, d.Ref), target.Field(d.FK)
	case ManyToMany:
		if !rel.many || d.Join == "" || d.JoinRef == "" {
			return nil, fail("many_to_many needs a slice field, join: and ref_fk:")
		}
		rel.ownerKey, rel.tgtKey = refField(owner, ""), refField(target, d.Ref)
		if rel.join, err = sqlb.QuoteQualified(d.Join); err != nil {
			return nil, fail("join table: %v", err)
		}
		rel.joinFK, _ = sqlb.QuoteIdent(d.FK)
		rel.joinRef, _ = sqlb.QuoteIdent(d.JoinRef)
	default:
		return nil, fail("unknown kind %q (want belongs_to, has_one, has_many, many_to_many)", d.Kind)
	}
	if rel.ownerKey == nil || rel.tgtKey == nil {
		return nil, fail("key column not found (fk %q, ref %q)", d.FK, d.Ref)
	}
	return rel, nil
}

// refField is column ref of m, or its single-column primary key.
func refField(m *sqlb.Model, ref string) *sqlb.Field {
	if ref != "" {
		return m.Field(ref)
	}
	if len(m.PK) == 1 {
		return m.PK[0]
	}
	return nil
}

// splitPaths turns "Posts", "Posts.Comments" into a tree of names.
type pathTree map[string]pathTree

func splitPaths(paths []string) (pathTree, error) {
	root := pathTree{}
	for _, p := range paths {
		node := root
		for _, name := range strings.Split(p, ".") {
			if name == "" {
				return nil, fmt.Errorf("%w: empty relation name in path %q", ErrInvalid, p)
			}
			if node[name] == nil {
				node[name] = pathTree{}
			}
			node = node[name]
		}
	}
	return root, nil
}

// checkRelation validates a relation declared with WithRelation as Load
// and Preload would resolve it, so New refuses a bad one. One whose field
// has a rel: tag is never used (the tag wins), and is not checked.
func checkRelation(owner *sqlb.Model, d Relation) error {
	if hasTagRel(owner, d.Field) {
		return nil
	}
	_, err := resolveRelation(owner, d)
	return err
}
