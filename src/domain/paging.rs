//! Paging of the List operations: the opaque page token (`NextToken` / `PaginationToken`) and
//! the page size a `MaxResults` / `Limit` asks for.
//!
//! A token is the position of the last row of a page: a few strings (a name, an id, a creation
//! time), JSON-encoded as an array and then base64url without padding, so any text (a group name
//! with `,` or `"`) survives and the result fits the models' token pattern. Tokens are opaque to
//! clients; decoding only promises to accept what [`encode`] wrote, and accepts a padded form
//! too. The callers turn `None` into the exception text their operation answers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The largest page of most List operations, and the page of an absent `MaxResults` / `Limit`.
pub const MAX_PAGE: i64 = 60;

/// The token for a position made of `parts`.
pub fn encode(parts: &[&str]) -> String {
    let json = serde_json::to_string(parts).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// The `n` parts of a token [`encode`] wrote; `None` for anything else.
pub fn decode(token: &str, n: usize) -> Option<Vec<String>> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    let parts: Vec<String> = serde_json::from_slice(&bytes).ok()?;
    (parts.len() == n).then_some(parts)
}

/// A position given by one key (a group or provider name, an id, a device key).
pub fn key_token(key: &str) -> String {
    encode(&[key])
}

pub fn parse_key_token(token: &str) -> Option<String> {
    decode(token, 1)?.pop()
}

/// A position in creation order: creation time and id of the last row (users, jobs, events).
pub fn position_token(created_at: f64, id: &str) -> String {
    // `f64`'s Display is the shortest text that parses back to the same value.
    encode(&[&created_at.to_string(), id])
}

pub fn parse_position_token(token: &str) -> Option<(f64, String)> {
    let mut parts = decode(token, 2)?;
    let id = parts.pop()?;
    let at = parts.pop()?.parse::<f64>().ok().filter(|t| t.is_finite())?;
    Some((at, id))
}

/// The page size for a requested `MaxResults` / `Limit`: at most `max`; absent or 0 (the
/// models of several operations allow 0) meaning `max`.
pub fn page_size(requested: Option<i64>, max: i64) -> i64 {
    match requested {
        Some(n) if n > 0 => n.min(max),
        _ => max,
    }
}

/// [`page_size`] for the operations whose pages hold up to 60 rows.
pub fn page_limit(requested: Option<i64>) -> i64 {
    page_size(requested, MAX_PAGE)
}

/// Splits the `limit + 1` rows a store read returned into the page and whether another follows.
pub fn split_page<T>(mut rows: Vec<T>, limit: i64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

/// [`split_page`], with the token of the next page, made by `token` from the page's last row,
/// when another page follows.
pub fn page<T>(
    rows: Vec<T>,
    limit: i64,
    token: impl FnOnce(&T) -> Option<String>,
) -> (Vec<T>, Option<String>) {
    let (rows, more) = split_page(rows, limit);
    let next = rows.last().filter(|_| more).and_then(token);
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for parts in [
            vec![""],
            vec!["admins"],
            vec!["a,b\"c", "é ü / + ="],
            vec!["1", "2", "3"],
        ] {
            let t = encode(&parts);
            assert!(
                t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "{t}"
            );
            assert_eq!(decode(&t, parts.len()).unwrap(), parts);
            assert_eq!(decode(&format!("{t}=="), parts.len()).unwrap(), parts);
        }
        assert_eq!(
            parse_key_token(&key_token("Group Name")).as_deref(),
            Some("Group Name")
        );
        for at in [1_700_000_000.123, 0.0, 1e-7, 1_712_345_678.999_999] {
            assert_eq!(
                parse_position_token(&position_token(at, "0190-abc")),
                Some((at, "0190-abc".to_string()))
            );
        }
    }

    #[test]
    fn garbage_is_refused() {
        for t in [
            "",
            "nope!",
            "not a token",
            "%%%",
            "us-east-1_NoSuchP00l",
            // base64url of text that is not a token: "abc", "not-a-server", `{"a":1}`.
            "YWJj",
            "bm90LWEtc2VydmVy",
            "eyJhIjoxfQ",
        ] {
            assert_eq!(decode(t, 1), None, "{t}");
            assert_eq!(parse_key_token(t), None, "{t}");
            assert_eq!(parse_position_token(t), None, "{t}");
        }
        // The right encoding with the wrong number or kind of parts.
        assert_eq!(decode(&encode(&["a", "b"]), 1), None);
        assert_eq!(parse_key_token(&encode(&["a", "b"])), None);
        assert_eq!(parse_position_token(&key_token("a")), None);
        assert_eq!(parse_position_token(&encode(&["soon", "id"])), None);
        assert_eq!(parse_position_token(&encode(&["NaN", "id"])), None);
        assert_eq!(parse_position_token(&encode(&["inf", "id"])), None);
    }

    #[test]
    fn page_size_defaults_and_caps() {
        assert_eq!(page_limit(None), 60);
        assert_eq!(page_limit(Some(0)), 60);
        assert_eq!(page_limit(Some(-3)), 60);
        assert_eq!(page_limit(Some(1)), 1);
        assert_eq!(page_limit(Some(25)), 25);
        assert_eq!(page_limit(Some(60)), 60);
        assert_eq!(page_limit(Some(1000)), 60);
        assert_eq!(page_size(None, 50), 50);
        assert_eq!(page_size(Some(51), 50), 50);
        assert_eq!(page_size(Some(7), 20), 7);
    }

    #[test]
    fn split_page_says_whether_more_follow() {
        assert_eq!(split_page(vec![1, 2, 3], 2), (vec![1, 2], true));
        assert_eq!(split_page(vec![1, 2], 2), (vec![1, 2], false));
        assert_eq!(split_page(Vec::<i32>::new(), 2), (vec![], false));
        let token = |n: &i32| Some(key_token(&n.to_string()));
        assert_eq!(page(vec![1, 2, 3], 2, token), (vec![1, 2], token(&2)));
        assert_eq!(page(vec![1, 2], 2, token), (vec![1, 2], None));
    }
}
