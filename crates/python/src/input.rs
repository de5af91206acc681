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
use std::borrow::Cow;
use std::collections::HashMap;
use storyhash_core::ArticleRef;

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

/// The articles of `batches`, in row order, borrowing their texts and titles from the Arrow
/// buffers (only integer ids are made into strings): signing reads the texts where they are.
pub(crate) struct Articles<'a> {
    ids: Vec<Cow<'a, str>>,
    texts: Vec<&'a str>,
    titles: Vec<Option<&'a str>>,
    /// By row: whether the id was an integer.
    pub(crate) integer_ids: Vec<bool>,
}

impl Articles<'_> {
    /// The articles as the engine signs them.
    pub(crate) fn refs(&self) -> Vec<ArticleRef<'_>> {
        (0..self.texts.len())
            .map(|i| ArticleRef {
                id: &self.ids[i],
                text: self.texts[i],
                title: self.titles[i],
                time: None,
            })
            .collect()
    }
}

/// A string column's values (`None` for a null), borrowed; `None` for a column of another
/// type.
fn strings(array: &ArrayRef) -> Option<Vec<Option<&str>>> {
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().iter().collect()),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Some(array.as_string_view().iter().collect()),
        _ => None,
    }
}

/// A column's values, `None` for a null.
type Values<'a> = Vec<Option<Cow<'a, str>>>;

/// An id column's values (`None` for a null): borrowed when they are strings, written out
/// when they are integers; and whether they were integers.
fn ids<'a>(array: &'a ArrayRef, name: &str) -> Result<(Values<'a>, bool), InputError> {
    fn ints<'a, T: arrow_array::ArrowPrimitiveType>(array: &ArrayRef) -> Values<'a>
    where
        T::Native: ToString,
    {
        array
            .as_primitive::<T>()
            .iter()
            .map(|v| v.map(|n| Cow::Owned(n.to_string())))
            .collect()
    }
    if let Some(v) = strings(array) {
        return Ok((v.into_iter().map(|v| v.map(Cow::Borrowed)).collect(), false));
    }
    match array.data_type() {
        t if t.is_integer() => {
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
            Ok((v, true))
        }
        t => Err(InputError(format!(
            "column {name:?} has type {t}: it must be a string or integer column"
        ))),
    }
}

/// The string column `name` of `batch`, borrowed, or an error naming its type.
fn text_values<'a>(batch: &'a RecordBatch, name: &str) -> Result<Vec<Option<&'a str>>, InputError> {
    let array = column(batch, name)?;
    strings(array).ok_or_else(|| {
        InputError(format!(
            "column {name:?} has type {}: it must be a string column (utf8, large_utf8 or utf8_view)",
            array.data_type()
        ))
    })
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
pub(crate) fn articles<'a>(
    batches: &'a [RecordBatch],
    cols: &Columns,
) -> Result<Articles<'a>, InputError> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut out = Articles {
        ids: Vec::with_capacity(rows),
        texts: Vec::with_capacity(rows),
        titles: Vec::with_capacity(rows),
        integer_ids: Vec::with_capacity(rows),
    };
    let mut row = 0usize;
    for batch in batches {
        let (ids, integer) = ids(column(batch, &cols.id)?, &cols.id)?;
        let texts = text_values(batch, &cols.text)?;
        let titles = match &cols.title {
            Some(t) => Some(text_values(batch, t)?),
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
            out.ids.push(id);
            out.texts.push(text);
            out.titles.push(title.filter(|t| !t.is_empty()));
            out.integer_ids.push(integer);
            row += 1;
        }
    }
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(rows);
    for (row, id) in out.ids.iter().enumerate() {
        if let Some(was) = first.insert(id, row) {
            return Err(InputError(format!(
                "column {:?}, row {row}: duplicate id {id:?} (first at row {was}); ids must be unique",
                cols.id
            )));
        }
    }
    drop(first);
    Ok(out)
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
        let a = articles(std::slice::from_ref(&b), &cols()).unwrap();
        assert_eq!(a.refs()[1].id, "8");
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
