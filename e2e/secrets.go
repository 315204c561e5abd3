package e2e

import "strings"

// Values that the server quotes in the message, Detail, Hint, Where or
// InternalQuery of its errors when PeopleDDL's trigger and check fire, or
// when SecretInput is cast to bigint. No log line, span or error text a
// norm module writes may contain any of them (see QuotedSecretNeedles).
const (
	SecretBanned   = "ann.banned@example.com"
	SecretPassword = "Hunter2Secret"
	SecretInput    = "SecretValue98"
)

// QuotedSecretNeedles are fragments of the values above: finding one is a
// leak even when the value was partly masked.
var QuotedSecretNeedles = []string{"ann.banned", "banned@", "Hunter2", "SecretValue", "Value98"}

// PeopleDDL makes the server quote values in its errors: a trigger that
// RAISEs with them (P0001, and a unique_violation it raises itself), and
// a check constraint whose violation shows the row in Detail.
const PeopleDDL = `CREATE TABLE people (
	id       bigint PRIMARY KEY,
	email    text NOT NULL CONSTRAINT people_email_key UNIQUE,
	password text,
	CONSTRAINT people_email_check CHECK (email NOT LIKE '%banned%')
);
CREATE FUNCTION block_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.id = 1 THEN
		RAISE EXCEPTION 'email % is blocked (password %)', NEW.email, NEW.password
			USING HINT = 'unblock ' || NEW.email, DETAIL = 'password ' || NEW.password;
	ELSIF NEW.id = 2 THEN
		RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = NEW.email || ' is taken',
			CONSTRAINT = 'people_email_key', DETAIL = 'Key (email)=(' || NEW.email || ') already exists.';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER block_people BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION block_people();`

// FindSecrets returns the needles s contains.
func FindSecrets(s string, needles []string) []string {
	var found []string
	for _, n := range needles {
		if strings.Contains(s, n) {
			found = append(found, n)
		}
	}
	return found
}
