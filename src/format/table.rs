//! Tables as Net-SNMP's `snmptable` lays them out: a title, a header line of column names,
//! a line per row, columns right-justified to their widest cell and separated by a space.
//!
//! The options are snmptable's `-C` letters: `f SEP` (cells joined by SEP, no padding),
//! `i` (an index column first), `b` (column names without their common prefix, see
//! [`brief`]), `h` (headers only), `H` (no headers), `l` (left-justified), `c N` (every
//! column N characters: cut to N-1, padded to N) and `w N` (the table split into parts no
//! wider than N, each part with its own header).
//!
//! Rows may come in chunks ([`TextTable::write_chunk`] more than once): snmptable prints a
//! GetNext table in chunks of `-Cr` rows as they arrive, each chunk laid out with the widths
//! known so far and only the first with headers. Widths count bytes, as `printf` does.
//!
//! ```
//! use snmpctl::format::table::{Layout, TextRow, TextTable};
//! let layout = Layout { headers: true, ..Layout::default() };
//! let mut table = TextTable::new(layout, "IF-MIB::ifTable".into(), vec!["ifDescr".into(), "ifMtu".into()]);
//! let rows = [
//!     TextRow { index: "1".into(), cells: vec![Some("lo".into()), Some("65536".into())] },
//!     TextRow { index: "2".into(), cells: vec![Some("eth0".into()), None] },
//! ];
//! let mut out = String::new();
//! table.write_chunk(&mut out, &rows);
//! assert_eq!(out, "SNMP table: IF-MIB::ifTable\n\n ifDescr ifMtu\n      lo 65536\n    eth0     ?\n");
//! ```

use super::output::raw_len;

/// snmptable's `-C` layout letters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// `-Cf SEP`: cells joined by SEP, without padding.
    pub separator: Option<String>,
    /// `-Cc N`: every column N characters wide (cells cut to N-1).
    pub column_width: Option<usize>,
    /// `-Cw N`: parts no wider than N.
    pub max_width: Option<usize>,
    /// `-Cl`: left-justified.
    pub left: bool,
    /// Not `-CH`: the title and the header line.
    pub headers: bool,
    /// `-Ch`: the header line only, no rows.
    pub headers_only: bool,
    /// `-Ci`: the index first in each row.
    pub show_index: bool,
}

/// One row as text: its index and a cell per column (`None` prints `?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    /// The index, as snmptable prints it.
    pub index: String,
    /// The cells.
    pub cells: Vec<Option<String>>,
}

/// A table being printed; see the module docs.
#[derive(Debug, Clone)]
pub struct TextTable {
    layout: Layout,
    title: String,
    labels: Vec<String>,
    widths: Vec<usize>,
    index_width: usize,
    first_pass: bool,
}

/// snmptable's `-Cb`: removes from every column name the prefix they share, measured the way
/// snmptable measures it (between neighbours; where one name is a prefix of the next, one
/// character less).
pub fn brief(labels: &mut [String]) {
    if labels.len() < 2 {
        return;
    }
    let mut common = labels.first().map_or(0, String::len);
    for (a, b) in labels.iter().zip(labels.iter().skip(1)) {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let len = if same == a.len() { same.saturating_sub(1) } else { same };
        common = common.min(len);
    }
    if common > 0 {
        for l in labels.iter_mut() {
            let kept = cut(l, common).len();
            l.drain(..kept);
        }
    }
}

fn pad(out: &mut String, s: &str, width: usize, left: bool) {
    let fill = width.saturating_sub(raw_len(s));
    if !left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
    out.push_str(s);
    if left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

/// The longest prefix of `s` of at most `n` octets as printed ([`raw_len`]) that ends on a
/// character boundary.
fn cut(s: &str, n: usize) -> &str {
    let mut printed = 0usize;
    for (i, c) in s.char_indices() {
        printed = printed.saturating_add(raw_len(c.encode_utf8(&mut [0; 4])));
        if printed > n {
            return s.get(..i).unwrap_or("");
        }
    }
    s
}

impl TextTable {
    /// A table titled `title` (the table's name as printed) with these column names.
    pub fn new(layout: Layout, title: String, labels: Vec<String>) -> TextTable {
        let widths = labels.iter().map(String::len).collect();
        TextTable { layout, title, labels, widths, index_width: "index ".len(), first_pass: true }
    }

    /// One cell (or header) of column `field` (`None`: the index column).
    fn cell(&self, out: &mut String, field: Option<usize>, s: &str) {
        let l = &self.layout;
        if let Some(n) = l.column_width {
            // `%*.*s`: cut to N-1, padded to N.
            let w = n.saturating_sub(1);
            match field {
                Some(_) => pad(out, cut(s, w), w.saturating_add(1), l.left),
                None => {
                    out.push_str("\nindex: ");
                    out.push_str(s);
                    out.push('\n');
                }
            }
            return;
        }
        match (&l.separator, field) {
            (None, Some(f)) => {
                pad(out, s, self.widths.get(f).copied().unwrap_or(0).saturating_add(1), l.left)
            }
            (None, None) => pad(out, s, self.index_width, l.left),
            (Some(_), None) => out.push_str(s),
            (Some(_), Some(0)) if !l.show_index => out.push_str(s),
            (Some(sep), Some(_)) => {
                out.push_str(sep);
                out.push_str(s);
            }
        }
    }

    /// Lays out `rows` (after the rows of earlier chunks) into `out`.
    pub fn write_chunk(&mut self, out: &mut String, rows: &[TextRow]) {
        for row in rows {
            for (w, c) in self.widths.iter_mut().zip(&row.cells) {
                *w = (*w).max(c.as_deref().map_or(0, raw_len));
            }
            if self.layout.show_index {
                self.index_width = self.index_width.max(raw_len(&row.index));
            }
        }
        let l = self.layout.clone();
        let headers = l.headers && self.first_pass;
        if headers && !l.headers_only {
            out.push_str("SNMP table: ");
            out.push_str(&self.title);
            out.push_str("\n\n");
        }
        let fields = self.labels.len();
        let cw = l.column_width.map(|n| n.saturating_sub(1));
        let mut last = 0;
        let mut part = 0u32;
        while last != fields {
            part = part.saturating_add(1);
            if part != 1 && l.headers {
                out.push_str(&format!("\nSNMP table {}, part {part}\n\n", self.title));
            }
            let first = last;
            let mut width = 0usize;
            if l.show_index && headers && cw.is_none() {
                width = self.index_width;
                self.cell(out, None, "index");
            }
            let mut field = first;
            while field < fields {
                if let Some(max) = l.max_width {
                    match cw {
                        Some(cw) => {
                            if headers {
                                width = width.saturating_add(cw.saturating_add(1));
                                if field != first && width > max {
                                    out.push('\n');
                                    width = cw.saturating_add(1);
                                }
                            }
                        }
                        None => {
                            width = width.saturating_add(
                                self.widths.get(field).copied().unwrap_or(0).saturating_add(1),
                            );
                            if field != first && width > max {
                                break;
                            }
                        }
                    }
                }
                if headers {
                    let label = self.labels.get(field).cloned().unwrap_or_default();
                    self.cell(out, Some(field), &label);
                }
                field = field.saturating_add(1);
            }
            last = field;
            if headers {
                out.push('\n');
            }
            for row in rows {
                let mut width = 0usize;
                if l.show_index {
                    if cw.is_none() {
                        width = self.index_width;
                    }
                    self.cell(out, None, &row.index);
                }
                for f in first..last {
                    if let (Some(cw), Some(max)) = (cw, l.max_width) {
                        width = width.saturating_add(cw.saturating_add(1));
                        if f != first && width > max {
                            out.push('\n');
                            width = cw.saturating_add(1);
                        }
                    }
                    let text = row.cells.get(f).and_then(Option::as_deref).unwrap_or("?");
                    self.cell(out, Some(f), text);
                }
                out.push('\n');
            }
        }
        self.first_pass = false;
    }

    /// What snmptable prints after the rows: "No entries" for an empty table, and a warning
    /// when the agent returned columns the MIB does not list.
    pub fn finish(&self, out: &mut String, total_rows: u64, extra_columns: bool) {
        if total_rows == 0 {
            out.push_str(&format!("{}: No entries\n", self.title));
        }
        if extra_columns {
            out.push_str(&format!("{}: WARNING: More columns on agent than in MIB\n", self.title));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<TextRow> {
        vec![
            TextRow { index: "1".into(), cells: vec![Some("lo".into()), Some("65536".into())] },
            TextRow { index: "12".into(), cells: vec![Some("eth0".into()), None] },
        ]
    }

    fn render(layout: Layout) -> String {
        let mut t = TextTable::new(layout, "IF-MIB::ifTable".into(), vec!["ifDescr".into(), "ifMtu".into()]);
        let mut out = String::new();
        t.write_chunk(&mut out, &rows());
        t.finish(&mut out, 2, false);
        out
    }

    fn headers() -> Layout {
        Layout { headers: true, ..Layout::default() }
    }

    #[test]
    fn default_layout_is_right_justified() {
        assert_eq!(
            render(headers()),
            "SNMP table: IF-MIB::ifTable\n\n ifDescr ifMtu\n      lo 65536\n    eth0     ?\n"
        );
        assert_eq!(
            render(Layout { show_index: true, left: true, ..headers() }),
            "SNMP table: IF-MIB::ifTable\n\nindex ifDescr ifMtu \n1     lo      65536 \n12    eth0    ?     \n"
        );
    }

    #[test]
    fn separators_widths_and_parts() {
        assert_eq!(
            render(Layout { separator: Some(",".into()), show_index: true, ..headers() }),
            "SNMP table: IF-MIB::ifTable\n\nindex,ifDescr,ifMtu\n1,lo,65536\n12,eth0,?\n"
        );
        assert_eq!(
            render(Layout { separator: Some(" | ".into()), headers: false, ..Layout::default() }),
            "lo | 65536\neth0 | ?\n"
        );
        assert_eq!(
            render(Layout { column_width: Some(4), ..headers() }),
            "SNMP table: IF-MIB::ifTable\n\n ifD ifM\n  lo 655\n eth   ?\n"
        );
        assert_eq!(
            render(Layout { max_width: Some(10), ..headers() }),
            "SNMP table: IF-MIB::ifTable\n\n ifDescr\n      lo\n    eth0\n\n\
             SNMP table IF-MIB::ifTable, part 2\n\n ifMtu\n 65536\n     ?\n"
        );
    }

    #[test]
    fn headers_only_and_empty() {
        let mut t = TextTable::new(
            Layout { headers_only: true, ..headers() },
            "T".into(),
            vec!["aIndex".into(), "aName".into()],
        );
        let mut out = String::new();
        t.write_chunk(&mut out, &[]);
        t.finish(&mut out, 0, true);
        assert_eq!(out, " aIndex aName\nT: No entries\nT: WARNING: More columns on agent than in MIB\n");
    }

    #[test]
    fn brief_names_as_snmptable() {
        let mut l: Vec<String> = ["ifIndex", "ifDescr", "ifType"].map(String::from).to_vec();
        brief(&mut l);
        assert_eq!(l, ["Index", "Descr", "Type"]);
        // A name that is a prefix of the next keeps one character more.
        let mut l: Vec<String> = ["abc", "abcd"].map(String::from).to_vec();
        brief(&mut l);
        assert_eq!(l, ["c", "cd"]);
        let mut l: Vec<String> = ["sysORID", "sysORDescr", "sysORUpTime"].map(String::from).to_vec();
        brief(&mut l);
        assert_eq!(l, ["ID", "Descr", "UpTime"]);
    }
}
