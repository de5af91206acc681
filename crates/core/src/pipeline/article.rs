//! The engine's input: one article, as any driver hands it over (a file reader, an HTTP body,
//! an Arrow batch). No file locations: whoever read it keeps its own notion of where it came
//! from.

/// One article as the engine takes it: an id, its text, and optionally a headline and a time.
/// Whatever read it (a file reader, an HTTP body, an Arrow batch) keeps its own notion of
/// where it came from; the engine needs none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Article {
    /// The caller's id for the article (unique within a collection).
    pub id: String,
    /// The article's text.
    pub text: String,
    /// The headline, when it is given apart from the text: it is read as the text's first
    /// line (the story lane counts the first line more). By default, `None`: the text's own
    /// first line is the headline.
    pub title: Option<String>,
    /// When the article was published or received, in seconds since the Unix epoch. By
    /// default, `None`. It does not change a score; an archive uses it to expire articles.
    pub time: Option<i64>,
}

impl Article {
    /// The text the engine reads: the headline (when given apart) as the first line, then the
    /// text. Offsets that explanations report count in this text.
    pub fn engine_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.title {
            Some(title) => format!("{title}\n{}", self.text).into(),
            None => self.text.as_str().into(),
        }
    }

    /// The article borrowed, as [`CollectionBuilder::sign_borrowed`](super::CollectionBuilder::sign_borrowed) takes it.
    pub fn borrowed(&self) -> ArticleRef<'_> {
        ArticleRef {
            id: &self.id,
            text: &self.text,
            title: self.title.as_deref(),
            time: self.time,
        }
    }

    /// An article with an id and a text only.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Article {
            id: id.into(),
            text: text.into(),
            ..Article::default()
        }
    }
}

/// An [`Article`] whose strings belong to someone else (an Arrow buffer, a request body): a
/// driver that already holds the texts signs them without copying each into a `String`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ArticleRef<'a> {
    /// The caller's id for the article (unique within a collection).
    pub id: &'a str,
    /// The article's text.
    pub text: &'a str,
    /// The headline, when it is given apart from the text (see [`Article::title`]).
    pub title: Option<&'a str>,
    /// When the article was published or received, in seconds since the Unix epoch.
    pub time: Option<i64>,
}

impl<'a> ArticleRef<'a> {
    /// The text the engine reads, as [`Article::engine_text`].
    pub fn engine_text(&self) -> std::borrow::Cow<'a, str> {
        match self.title {
            Some(title) => format!("{title}\n{}", self.text).into(),
            None => self.text.into(),
        }
    }
}
