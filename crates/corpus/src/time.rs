//! Reading an article's time from the text of a field: seconds since the Unix epoch, an RFC
//! 3339 / ISO 8601 date-time, or a plain date. The arithmetic is done here (days from the
//! civil calendar) rather than with a date crate: the forms are few and fixed, and a reader
//! only needs their second.

/// What a time field may hold, as error messages say it.
const ACCEPTED: &str = "seconds since 1970, or a date like 2026-12-01 or 2026-12-01T10:20:30Z";

/// How many characters of a bad value an error message shows.
const SHOWN_CHARS: usize = 40;

/// Seconds since the Unix epoch of `s`, or `None` when it is not one of:
///
/// - all ASCII digits: the seconds themselves (`1796083200`);
/// - a date-time `YYYY-MM-DDTHH:MM:SS`, with `T`, `t` or a space between date and time,
///   optional fractional seconds (dropped), and an offset `Z`, `z`, `+HH:MM` or `-HH:MM`;
///   without an offset it is read as UTC, like a plain date;
/// - a plain date `YYYY-MM-DD`: its midnight, UTC.
///
/// Dates are checked against the calendar (`2026-02-30` is not one); a leap second (`:60`)
/// is accepted and counts as the next second. Surrounding whitespace is not accepted: the
/// readers trim it.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        return s.parse().ok();
    }
    let mut p = Cursor { b, at: 0 };
    let year = p.digits(4)?;
    p.eat(b'-')?;
    let month = p.digits(2)?;
    p.eat(b'-')?;
    let day = p.digits(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if p.done() {
        return Some(days * 86_400);
    }
    match p.next()? {
        b'T' | b't' | b' ' => {}
        _ => return None,
    }
    let hour = p.digits(2)?;
    p.eat(b':')?;
    let minute = p.digits(2)?;
    p.eat(b':')?;
    let second = p.digits(2)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if p.peek() == Some(b'.') {
        p.next();
        // At least one digit: `10:20:30.` is not a fraction.
        let start = p.at;
        while p.peek().is_some_and(|c| c.is_ascii_digit()) {
            p.next();
        }
        if p.at == start {
            return None;
        }
    }
    let offset = match p.next() {
        None => 0,
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = p.digits(2)?;
            p.eat(b':')?;
            let minutes = p.digits(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let east = hours * 3600 + minutes * 60;
            if sign == b'+' {
                east
            } else {
                -east
            }
        }
        Some(_) => return None,
    };
    if !p.done() {
        return None;
    }
    // The local time minus its offset east of UTC is UTC.
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Why a time field's value is refused, naming the field and showing the value (`shown`: a
/// string by [`shown_string`], a number as itself).
pub(crate) fn not_a_time(field: &str, shown: &str) -> String {
    format!("field {field:?}: {shown} is not a time ({ACCEPTED})")
}

/// A string's value as an error message shows it: quoted, and cut short when long.
pub(crate) fn shown_string(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{:?}...", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (negative before it).
/// Howard Hinnant's `days_from_civil`: the year is counted from March, so that a leap day is
/// the last day of its year, and in 400-year eras of 146097 days.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    // March is month 0 of the shifted year.
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A position in the bytes of a time being read.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn done(&self) -> bool {
        self.at == self.b.len()
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `n` ASCII digits, as a number.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v = 0;
        for _ in 0..n {
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    }
}

/// The time a JSON value holds, by the readers' rules: `Some(None)` for none (`null`, or a
/// string that is empty or blank), `None` when the value is not a time; an integer is seconds,
/// a string is read by [`parse_time`].
pub fn time_of_value(v: &serde_json::Value) -> Option<Option<i64>> {
    use serde_json::Value;
    match v {
        Value::Null => Some(None),
        Value::Number(n) => n.as_i64().map(Some),
        Value::String(s) => match s.trim() {
            "" => Some(None),
            t => parse_time(t).map(Some),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from `date -u -d <time> +%s`.

    #[test]
    fn the_epoch_is_zero() {
        assert_eq!(parse_time("1970-01-01"), Some(0));
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("0"), Some(0));
        assert_eq!(parse_time("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn digits_are_seconds() {
        assert_eq!(parse_time("1796083200"), Some(1_796_083_200));
        assert_eq!(parse_time("0001796083200"), Some(1_796_083_200));
        // Beyond an i64.
        assert_eq!(parse_time("99999999999999999999"), None);
        // Signs are not digits.
        assert_eq!(parse_time("-5"), None);
        assert_eq!(parse_time("+5"), None);
    }

    #[test]
    fn a_plain_date_is_midnight_utc() {
        assert_eq!(parse_time("2026-12-01"), Some(1_796_083_200));
        assert_eq!(parse_time("2024-03-01"), Some(1_709_251_200));
    }

    #[test]
    fn leap_days_are_dates_only_in_leap_years() {
        assert_eq!(parse_time("2024-02-29"), Some(1_709_164_800));
        assert_eq!(parse_time("2000-02-29T12:00:00Z"), Some(951_825_600));
        assert_eq!(parse_time("2026-02-29"), None);
        assert_eq!(parse_time("1900-02-29"), None);
    }

    #[test]
    fn date_times_in_utc() {
        assert_eq!(parse_time("2026-12-01T10:20:30Z"), Some(1_796_120_430));
        assert_eq!(parse_time("2026-12-01t10:20:30z"), Some(1_796_120_430));
        assert_eq!(parse_time("2026-12-01 10:20:30Z"), Some(1_796_120_430));
        assert_eq!(parse_time("2026-12-01T10:20:30"), Some(1_796_120_430));
        assert_eq!(parse_time("2026-12-01 10:20:30"), Some(1_796_120_430));
    }

    #[test]
    fn offsets_are_taken_off() {
        assert_eq!(parse_time("2026-12-01T10:20:30+02:00"), Some(1_796_113_230));
        assert_eq!(parse_time("2026-12-01T10:20:30-05:30"), Some(1_796_140_230));
        assert_eq!(parse_time("2026-12-01T10:20:30+00:00"), Some(1_796_120_430));
        assert_eq!(parse_time("2026-12-01 10:20:30-05:30"), Some(1_796_140_230));
    }

    #[test]
    fn a_fraction_is_dropped() {
        assert_eq!(parse_time("2026-12-01T10:20:30.999Z"), Some(1_796_120_430));
        assert_eq!(
            parse_time("2026-12-01T10:20:30.5+02:00"),
            Some(1_796_113_230)
        );
        assert_eq!(
            parse_time("2026-12-01T10:20:30.123456789"),
            Some(1_796_120_430)
        );
        assert_eq!(parse_time("2026-12-01T10:20:30.Z"), None);
    }

    #[test]
    fn a_leap_second_is_the_next_second() {
        assert_eq!(parse_time("2016-12-31T23:59:60Z"), parse_time("2017-01-01"));
    }

    #[test]
    fn garbage_is_refused() {
        for s in [
            "",
            "abc",
            "yesterday",
            "2026-13-01",
            "2026-00-01",
            "2026-02-30",
            "2026-04-31",
            "2026-12-00",
            "2026-12-1",
            "26-12-01",
            "2026/12/01",
            "2026-12-01T",
            "2026-12-01T10:20",
            "2026-12-01T24:00:00Z",
            "2026-12-01T10:60:00Z",
            "2026-12-01T10:20:61Z",
            "2026-12-01T10:20:30+2:00",
            "2026-12-01T10:20:30+0200",
            "2026-12-01T10:20:30+24:00",
            "2026-12-01T10:20:30Zjunk",
            "2026-12-01X10:20:30Z",
            " 2026-12-01",
            "2026-12-01 ",
            "1.5",
            "١٢٣",
        ] {
            assert_eq!(parse_time(s), None, "{s:?}");
        }
    }

    #[test]
    fn the_refusal_names_the_field_and_the_value() {
        assert_eq!(
            not_a_time("date", &shown_string("yesterday")),
            "field \"date\": \"yesterday\" is not a time \
             (seconds since 1970, or a date like 2026-12-01 or 2026-12-01T10:20:30Z)"
        );
        let long = shown_string(&"x".repeat(100));
        assert_eq!(long, format!("{:?}...", "x".repeat(SHOWN_CHARS)));
    }
}
