package filing

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a civil date in China Standard Time, stored as yyyymmdd so that
// comparing two dates is comparing two integers (Validate compares many).
type Date int32

// chinaTime is UTC+8 without a tz database, which Windows machines may lack.
var chinaTime = time.FixedZone("CST", 8*3600)

// DateOf is the civil date in China of an instant.
func DateOf(t time.Time) Date {
	y, m, d := t.In(chinaTime).Date()
	return Date(y*10000 + int(m)*100 + d)
}

// ParseDate reads "YYYY-MM-DD" and rejects dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	y, m, d := t.Date()
	return Date(y*10000 + int(m)*100 + d), nil
}

func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}

// Time is midnight of the date in China.
func (d Date) Time() time.Time {
	return time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, chinaTime)
}

// AddDays moves the date by n days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysUntil counts the days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.Time().Sub(d.Time()).Hours() / 24)
}

func (d Date) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(d.String())), nil }

func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("a date must be a string YYYY-MM-DD")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
