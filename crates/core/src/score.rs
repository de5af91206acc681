//! Similarity measures and the presets' decision rules. Two documents' features go in (shingle
//! sets, signatures, term vectors); scores and a yes/no per preset come out.
//!
//! - `copy`: word 5-gram Jaccard (estimated from MinHash signatures, exact with `--exact`) at or
//!   above a high threshold (default 0.8): the same text republished with edits.
//! - `story`: the story score (IDF-weighted cosine over each document's own lines, see
//!   [`crate::weight`] and [`crate::text::boilerplate`]) at or above its threshold (default
//!   0.25, chosen on SemEval-2022 dev as the best-F1 point for "same event"), or the copy rule:
//!   a copy of a text is always the same story, even when its lines were all set aside as
//!   shared.

/// What the engine is looking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Near-duplicate copies of one text.
    Copy,
    /// Write-ups of one story, in other words included.
    Story,
}

impl Preset {
    /// Default threshold of the preset's primary score.
    pub fn default_threshold(self) -> f64 {
        match self {
            Preset::Copy => 0.8,
            Preset::Story => 0.25,
        }
    }

    /// Name as used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Copy => "copy",
            Preset::Story => "story",
        }
    }
}

/// Thresholds of the decision rules.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    /// Jaccard at or above which two texts are copies. By default, 0.8.
    pub copy: f64,
    /// Story score at or above which two texts are one story. By default, 0.25.
    pub story: f64,
}

impl Thresholds {
    /// The threshold of `preset`'s rule.
    pub fn of(&self, preset: Preset) -> f64 {
        match preset {
            Preset::Copy => self.copy,
            Preset::Story => self.story,
        }
    }

    /// These thresholds with `preset`'s set to `t`.
    pub fn with(mut self, preset: Preset, t: f64) -> Self {
        match preset {
            Preset::Copy => self.copy = t,
            Preset::Story => self.story = t,
        }
        self
    }
}

impl Default for Preset {
    /// The story preset: it finds copies too.
    fn default() -> Self {
        Preset::Story
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            copy: Preset::Copy.default_threshold(),
            story: Preset::Story.default_threshold(),
        }
    }
}

/// Why a pair was joined, the strongest reason first: the same words, a copy, a trimmed copy,
/// the same story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// The same words once normalised (joined by content hash).
    Exact,
    /// Shingle Jaccard passed the copy threshold.
    Copy,
    /// The shorter text is a trimmed copy of the other: the two start alike and the shorter's
    /// shingles are (almost) all in the longer (`pipeline::contain`).
    Contained {
        /// Whether the first document of the pair is the trimmed copy (else the second).
        first: bool,
    },
    /// The story score passed the story threshold.
    Story,
}

impl Evidence {
    /// Name as written in reports.
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Exact => "exact",
            Evidence::Copy => "copy",
            Evidence::Contained { .. } => "contained",
            Evidence::Story => "story",
        }
    }
}

/// The scores of one pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScores {
    /// Shingle Jaccard (estimated or exact).
    pub jaccard: f64,
    /// Story score, when the story features were computed.
    pub story: Option<f64>,
    /// The containment of the shorter text in the longer, when the pair is a trimmed copy
    /// (it reached the containment threshold); `None` otherwise.
    pub contained: Option<crate::pipeline::contain::Contained>,
}

impl PairScores {
    /// The score a preset reports for the pair.
    pub fn primary(&self, preset: Preset) -> f64 {
        match preset {
            Preset::Copy => self.jaccard,
            Preset::Story => self.story.unwrap_or(0.0).max(self.jaccard),
        }
    }

    /// The score linkage weighs the pair by: the preset's score, or for a trimmed copy its
    /// containment when higher. The reported score stays the preset's (a copy keeping a fifth
    /// of its source has a Jaccard of 0.2, and says so), but a trimmed copy is as close to its
    /// source as a copy is when clusters are formed.
    pub fn link(&self, preset: Preset) -> f64 {
        let p = self.primary(preset);
        self.contained.map_or(p, |c| p.max(c.value))
    }

    /// Whether `preset` joins the pair, and on what evidence: a pair that passes the copy rule
    /// is a copy under either preset, even when its story score passes too.
    pub fn decide(&self, preset: Preset, t: Thresholds) -> Option<Evidence> {
        if copies(self.jaccard, t.copy) {
            return Some(Evidence::Copy);
        }
        if let Some(c) = self.contained {
            return Some(Evidence::Contained { first: c.first });
        }
        match preset {
            Preset::Copy => None,
            Preset::Story => self
                .story
                .is_some_and(|s| s >= t.story && s > 0.0)
                .then_some(Evidence::Story),
        }
    }
}

/// The copy rule: Jaccard `j` reaches the copy threshold, and is not 0 (two empty sets share
/// nothing, whatever the threshold).
#[inline]
pub fn copies(j: f64, threshold: f64) -> bool {
    j >= threshold && j > 0.0
}

/// Exact Jaccard of two sorted, deduplicated sets. Two empty sets score 0: nothing is evidence
/// of nothing.
pub fn exact_jaccard(a: &[u64], b: &[u64]) -> f64 {
    let inter = intersection(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Containment of `a` in `b`: |a ∩ b| / |a| (sorted, deduplicated sets).
pub fn containment(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        0.0
    } else {
        intersection(a, b) as f64 / a.len() as f64
    }
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_of_overlapping_sets() {
        assert_eq!(exact_jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
    }

    #[test]
    fn jaccard_of_empty_sets_is_zero() {
        assert_eq!(exact_jaccard(&[], &[]), 0.0);
    }

    #[test]
    fn containment_is_asymmetric() {
        assert_eq!(containment(&[1, 2], &[1, 2, 3, 4]), 1.0);
        assert_eq!(containment(&[1, 2, 3, 4], &[1, 2]), 0.5);
    }

    #[test]
    fn story_preset_joins_copies_too() {
        let s = PairScores {
            jaccard: 0.9,
            story: Some(0.0),
            contained: None,
        };
        assert_eq!(
            s.decide(Preset::Story, Thresholds::default()),
            Some(Evidence::Copy)
        );
    }

    #[test]
    fn copy_preset_ignores_story_score() {
        let s = PairScores {
            jaccard: 0.1,
            story: Some(0.9),
            contained: None,
        };
        assert_eq!(s.decide(Preset::Copy, Thresholds::default()), None);
        assert_eq!(
            s.decide(Preset::Story, Thresholds::default()),
            Some(Evidence::Story)
        );
    }
}
