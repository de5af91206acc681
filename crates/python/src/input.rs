//! Arrow in: record batches and the names of their id, text and title columns go in, the
//! engine's [`Article`]s come out, in row order, with which ids were integers (written back as
//! integers by the JSONL report, as the CLI does for JSONL integer ids).
//!
//! Invariant: every row becomes an article or an [`InputError`] naming the column and the row
//! (0-based, counted across batches), as the CLI names file and line; nothing is skipped.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use std::collections::HashMap;
use storyhash_core::Article;

/// Where the fields of an article are, by column name.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub(crate) id: String,
    pub(crate) text: String,
    /// The headline, when it is apart from the text (read as the text's first line).
    pub(crate) title: Option<String>,
}

/// A row or a column the engine cannot take, in words that name it.
#[derive(Debug)]
pub(crate) struct InputError(pub(crate) String);

/// The articles of `batches`, in row order.
pub(crate) struct Articles {
    pub(crate) articles: Vec<Article>,
    /// By row: whether the id was an integer.
    pub(crate) integer_ids: Vec<bool>,
}

/// Which values a column may hold.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Strings only (texts, titles).
    Text,
    /// Strings or integers (ids).
    Id,
}

/// A column's values as strings (`None` for a null), and whether they were integers.
fn values(
    array: &ArrayRef,
    name: &str,
    kind: Kind,
) -> Result<(Vec<Option<String>>, bool), InputError> {
    fn collect<'a>(it: impl Iterator<Item = Option<&'a str>>) -> Vec<Option<String>> {
        it.map(|v| v.map(str::to_owned)).collect()
    }
    fn ints<T: arrow_array::ArrowPrimitiveType>(array: &ArrayRef) -> Vec<Option<String>>
    where
        T::Native: ToString,
    {
        array
            .as_primitive::<T>()
            .iter()
            .map(|v| v.map(|n| n.to_string()))
            .collect()
    }
    let strings = match array.data_type() {
        DataType::Utf8 => collect(array.as_string::<i32>().iter()),
        DataType::LargeUtf8 => collect(array.as_string::<i64>().iter()),
        DataType::Utf8View => collect(array.as_string_view().iter()),
        t if kind == Kind::Id && t.is_integer() => {
            let v = match t {
                DataType::Int8 => ints::<Int8Type>(array),
                DataType::Int16 => ints::<Int16Type>(array),
                DataType::Int32 => ints::<Int32Type>(array),
                DataType::Int64 => ints::<Int64Type>(array),
                DataType::UInt8 => ints::<UInt8Type>(array),
                DataType::UInt16 => ints::<UInt16Type>(array),
                DataType::UInt32 => ints::<UInt32Type>(array),
                _ => ints::<UInt64Type>(array),
            };
            return Ok((v, true));
        }
        t => {
            let allowed = match kind {
                Kind::Text => "a string column (utf8, large_utf8 or utf8_view)",
                Kind::Id => "a string or integer column",
            };
            return Err(InputError(format!(
                "column {name:?} has type {t}: it must be {allowed}"
            )));
        }
    };
    Ok((strings, false))
}

/// The column `name` of `batch`, or an error listing the columns there are.
fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, InputError> {
    batch.column_by_name(name).ok_or_else(|| {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| format!("{:?}", f.name()))
            .collect();
        InputError(format!(
            "no column {name:?} in the input (its columns: {})",
            names.join(", ")
        ))
    })
}

/// The articles of `batches` (one per row, in order). A null or empty id, a duplicate id or a
/// null text is an error naming the row; a null or empty title is no title (as a JSONL record
/// without one).
pub(crate) fn articles(batches: &[RecordBatch], cols: &Columns) -> Result<Articles, InputError> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut articles = Vec::with_capacity(rows);
    let mut integer_ids = Vec::with_capacity(rows);
    let mut row = 0usize;
    for batch in batches {
        let (ids, integer) = values(column(batch, &cols.id)?, &cols.id, Kind::Id)?;
        let (texts, _) = values(column(batch, &cols.text)?, &cols.text, Kind::Text)?;
        let titles = match &cols.title {
            Some(t) => Some(values(column(batch, t)?, t, Kind::Text)?.0),
            None => None,
        };
        let mut titles = titles.map(|t| t.into_iter());
        for (id, text) in ids.into_iter().zip(texts) {
            let title = titles.as_mut().and_then(|t| t.next().flatten());
            let id = match id {
                Some(id) if !id.is_empty() => id,
                _ => {
                    return Err(InputError(format!(
                        "column {:?}, row {row}: the id is null or empty",
                        cols.id
                    )))
                }
            };
            let Some(text) = text else {
                return Err(InputError(format!(
                    "column {:?}, row {row}: the text is null",
                    cols.text
                )));
            };
            articles.push(Article {
                title: title.filter(|t| !t.is_empty()),
                ..Article::new(id, text)
            });
            integer_ids.push(integer);
            row += 1;
        }
    }
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(articles.len());
    for (row, a) in articles.iter().enumerate() {
        if let Some(was) = first.insert(a.id.as_str(), row) {
            return Err(InputError(format!(
                "column {:?}, row {row}: duplicate id {:?} (first at row {was}); ids must be unique",
                cols.id, a.id
            )));
        }
    }
    drop(first);
    Ok(Articles {
        articles,
        integer_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, Int64Array, StringArray};
    use std::sync::Arc;

    fn cols() -> Columns {
        Columns {
            id: "id".into(),
            text: "text".into(),
            title: None,
        }
    }

    fn batch(id: ArrayRef, text: ArrayRef) -> RecordBatch {
        RecordBatch::try_from_iter([("id", id), ("text", text)]).unwrap()
    }

    #[test]
    fn integer_ids_are_read_as_their_decimal_form_and_marked() {
        let b = batch(
            Arc::new(Int64Array::from(vec![7, 8])),
            Arc::new(StringArray::from(vec!["a", "b"])),
        );
        let a = articles(&[b], &cols()).unwrap();
        assert_eq!(a.articles[1].id, "8");
        assert_eq!(a.integer_ids, vec![true, true]);
    }

    #[test]
    fn a_null_text_names_its_column_and_row_across_batches() {
        let ok = batch(
            Arc::new(StringArray::from(vec!["a"])),
            Arc::new(StringArray::from(vec!["x"])),
        );
        let bad = batch(
            Arc::new(StringArray::from(vec!["b", "c"])),
            Arc::new(StringArray::from(vec![Some("y"), None])),
        );
        let e = articles(&[ok, bad], &cols()).err().unwrap();
        assert!(e.0.contains("\"text\", row 2"), "{}", e.0);
    }

    #[test]
    fn float_ids_and_missing_columns_and_duplicates_are_refused() {
        let b = batch(
            Arc::new(Float64Array::from(vec![1.0])),
            Arc::new(StringArray::from(vec!["x"])),
        );
        assert!(articles(std::slice::from_ref(&b), &cols())
            .err()
            .unwrap()
            .0
            .contains("\"id\" has type"));
        let c = Columns {
            text: "body".into(),
            ..cols()
        };
        let ok = batch(
            Arc::new(StringArray::from(vec!["a"])),
            Arc::new(StringArray::from(vec!["x"])),
        );
        let e = articles(&[ok], &c).err().unwrap();
        assert!(e.0.contains("no column \"body\""), "{}", e.0);
        let dup = batch(
            Arc::new(StringArray::from(vec!["a", "a"])),
            Arc::new(StringArray::from(vec!["x", "y"])),
        );
        let e = articles(&[dup], &cols()).err().unwrap();
        assert!(e.0.contains("row 1: duplicate id"), "{}", e.0);
    }
}
