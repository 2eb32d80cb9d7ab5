//! Grouping rows by the values of key columns, in one hashed pass.
//!
//! Key columns are Arrow string arrays read in place ([`StringArray`]: `utf8_view`,
//! `utf8`, `large_utf8`, borrowed from their buffers) or integer codes. A string of up
//! to 12 bytes is its 16-byte `utf8_view` view (length, then the bytes inline), so the
//! key of such a row is the views themselves; a longer string is its bytes.
//!
//! [`keyed_sums`] makes one parallel pass over the rows: each thread takes a run of
//! blocks, and each block of rows finds the groups of its key values in the thread's
//! table of groups and adds the rows' counts and values into that table's exact sums
//! ([`GroupedSums`], whose range scan runs on the block while it is in cache). With one
//! or two key columns, each column's values are numbered first, a `utf8_view` column's
//! through a small cache of the raw views already seen (a repeated view is one load
//! and one compare, no hashing of text), and the pairs of numbers index a grid of
//! groups (hashed when the numbers are many). The per-thread tables merge exactly, and
//! the groups are numbered at the end in sorted order of their keys, so the output
//! (order and bits) is the same for any number of threads and any split of the rows.
//! [`KeyedState`] keeps that result over rows that come in batches (a file read slice
//! by slice): each batch is grouped in one pass and its groups are found among the
//! state's, whose keys it owns, so the batches need not outlive their pass.
//! [`string_codes`] gives one string column dense codes in sorted order of its values.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::sums::{long_partials, GroupedPartials, GroupedSums, GroupedTable};

/// Buffers that do not hold the string data their layout promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// The Arrow string layouts read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `vu`: 16-byte views, short strings inline, long ones in data buffers.
    View,
    /// `u`: i32 offsets into one data buffer.
    Offsets32,
    /// `U`: i64 offsets into one data buffer.
    Offsets64,
}

/// One Arrow array of strings, borrowed from its buffers.
#[derive(Debug, Clone)]
pub struct StringArray<'a> {
    layout: Layout,
    len: usize,
    offset: usize,
    validity: Option<&'a [u8]>,
    index: &'a [u8],
    data: Vec<&'a [u8]>,
}

impl<'a> StringArray<'a> {
    /// An array of `len` rows starting at row `offset` of its buffers: `validity` the
    /// validity bitmap (`None`: no nulls), `index` the views (`View`) or the offsets (as
    /// bytes), `data` the data buffers (one for the offset layouts). The sizes are
    /// checked here; every value read later is checked against its buffer.
    pub fn new(
        layout: Layout,
        len: usize,
        offset: usize,
        validity: Option<&'a [u8]>,
        index: &'a [u8],
        data: Vec<&'a [u8]>,
    ) -> std::result::Result<Self, Malformed> {
        let end = offset.checked_add(len).ok_or(Malformed)?;
        if validity.is_some_and(|v| v.len() < end.div_ceil(8)) {
            return Err(Malformed);
        }
        let index_len = match layout {
            Layout::View => end.checked_mul(16),
            Layout::Offsets32 => (end + 1).checked_mul(4),
            Layout::Offsets64 => (end + 1).checked_mul(8),
        };
        if index.len() < index_len.ok_or(Malformed)? || (layout != Layout::View && data.len() != 1)
        {
            return Err(Malformed);
        }
        Ok(StringArray {
            layout,
            len,
            offset,
            validity,
            index,
            data,
        })
    }

    /// Rows of the array.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the array has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether rows `lo..lo + n` are all valid (not null).
    fn all_valid(&self, lo: usize, n: usize) -> bool {
        let Some(bits) = self.validity else {
            return true;
        };
        let (start, end) = (self.offset + lo, self.offset + lo + n);
        let mut j = start;
        // Bit by bit to a byte boundary, then whole bytes, then the last bits.
        while j < end && j % 8 != 0 {
            if bits[j / 8] & (1 << (j % 8)) == 0 {
                return false;
            }
            j += 1;
        }
        let whole = (end - j) / 8;
        if !bits[j / 8..j / 8 + whole].iter().all(|&b| b == 0xFF) {
            return false;
        }
        j += 8 * whole;
        (j..end).all(|j| bits[j / 8] & (1 << (j % 8)) != 0)
    }

    /// Row `i`'s 16-byte view as it is stored (`None` for a null), for a `View` array.
    /// A short string's view is its value; a long string's names its bytes by buffer
    /// and offset, so equal views of one array are equal strings (not the converse).
    #[inline(always)]
    fn raw_view(&self, i: usize) -> Option<u128> {
        let j = self.offset + i;
        if let Some(bits) = self.validity {
            if bits[j / 8] & (1 << (j % 8)) == 0 {
                return None;
            }
        }
        let view: [u8; 16] = self.index[16 * j..16 * j + 16].try_into().ok()?;
        Some(u128::from_le_bytes(view))
    }

    /// Row `i` as a key part.
    #[inline(always)]
    fn part(&self, i: usize) -> std::result::Result<Part<'a>, Malformed> {
        let j = self.offset + i;
        if let Some(bits) = self.validity {
            if bits[j / 8] & (1 << (j % 8)) == 0 {
                return Ok(Part::Null);
            }
        }
        match self.layout {
            Layout::View => {
                let view: [u8; 16] = self.index[16 * j..16 * j + 16]
                    .try_into()
                    .map_err(|_| Malformed)?;
                let packed = u128::from_le_bytes(view);
                let len = packed as u32 as usize;
                if len <= 12 {
                    // The bytes after the string are zeros by the format; masked anyway.
                    let bits = 32 + 8 * len;
                    Ok(Part::Short(if bits == 128 {
                        packed
                    } else {
                        packed & ((1 << bits) - 1)
                    }))
                } else {
                    let (buffer, start) = ((packed >> 64) as u32 as usize, (packed >> 96) as usize);
                    let data = self.data.get(buffer).ok_or(Malformed)?;
                    Ok(Part::Long(data.get(start..start + len).ok_or(Malformed)?))
                }
            }
            Layout::Offsets32 | Layout::Offsets64 => {
                let width = if self.layout == Layout::Offsets32 {
                    4
                } else {
                    8
                };
                let start = read_offset(self.index, width, j)?;
                let end = read_offset(self.index, width, j + 1)?;
                Ok(Part::of(self.data[0].get(start..end).ok_or(Malformed)?))
            }
        }
    }
}

/// Offset `j` of an i32 (`width` 4) or i64 (8) offsets buffer.
fn read_offset(index: &[u8], width: usize, j: usize) -> std::result::Result<usize, Malformed> {
    let b = index.get(width * j..width * (j + 1)).ok_or(Malformed)?;
    let v = match width {
        4 => i32::from_le_bytes(b.try_into().map_err(|_| Malformed)?) as i64,
        _ => i64::from_le_bytes(b.try_into().map_err(|_| Malformed)?),
    };
    usize::try_from(v).map_err(|_| Malformed)
}

/// One key column.
#[derive(Debug, Clone)]
pub enum KeyColumn<'a> {
    /// Strings, in one or more arrays (chunks) that follow each other.
    Strings(Vec<StringArray<'a>>),
    /// Integer codes (ordered as the values they stand for).
    Codes(&'a [u32]),
}

/// One key value: a string of up to 12 bytes (or a code) as a `utf8_view` view holds it
/// inline (length in the low 4 bytes, then the bytes, zeros after them), a longer
/// string by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part<'a> {
    Null,
    Short(u128),
    Long(&'a [u8]),
}

impl<'a> Part<'a> {
    fn of(bytes: &'a [u8]) -> Part<'a> {
        if bytes.len() <= 12 {
            let mut view = [0u8; 16];
            view[..4].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
            view[4..4 + bytes.len()].copy_from_slice(bytes);
            Part::Short(u128::from_le_bytes(view))
        } else {
            Part::Long(bytes)
        }
    }

    /// The string's bytes (`None` for a null).
    fn bytes(&self) -> Option<Vec<u8>> {
        match *self {
            Part::Null => None,
            Part::Short(v) => Some(v.to_le_bytes()[4..4 + (v as u32 as usize).min(12)].to_vec()),
            Part::Long(b) => Some(b.to_vec()),
        }
    }

    /// `h` with this part mixed in.
    #[inline(always)]
    fn hash_into(&self, h: u64) -> u64 {
        match *self {
            Part::Null => fold_mul(h ^ 0x6A09_E667_F3BC_C909, 0xBB67_AE85_84CA_A73B),
            // One folded multiply of the view's two halves (foldhash's step): the
            // usual key, so the cheapest.
            Part::Short(v) => fold_mul(
                h ^ (v as u64) ^ 0x243F_6A88_85A3_08D3,
                ((v >> 64) as u64) ^ 0x1319_8A2E_0370_7344,
            ),
            Part::Long(b) => {
                let mut chunks = b.chunks_exact(8);
                let mut h = mix(h, b.len() as u64);
                for c in &mut chunks {
                    h = mix(h, u64::from_le_bytes(c.try_into().unwrap_or_default()));
                }
                let mut tail = [0u8; 8];
                tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
                finish(mix(h, u64::from_le_bytes(tail)))
            }
        }
    }
}

/// The 128-bit product of `a` and `b` folded to 64 bits.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let f = u128::from(a) * u128::from(b);
    (f as u64) ^ ((f >> 64) as u64)
}

/// One step of the hash of a long string: a multiply folded to 64 bits.
#[inline(always)]
fn mix(h: u64, w: u64) -> u64 {
    fold_mul(h ^ w, 0x9E37_79B9_7F4A_7C15)
}

/// The final avalanche of a long string's hash (murmur3's), so the slot bits depend on
/// every byte.
#[inline(always)]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

#[inline(always)]
fn hash_row(row: &[Part<'_>]) -> u64 {
    row.iter().fold(0, |h, p| p.hash_into(h))
}

/// Groups numbered in order of first appearance: an open-addressing table over the
/// hashes of their keys, each hit checked against the key itself.
#[derive(Debug, Clone)]
struct Groups<'a> {
    /// Key parts per group.
    width: usize,
    /// Each slot's [`Groups::slot`] (0: empty); a power-of-two length.
    slots: Vec<u64>,
    hashes: Vec<u64>,
    /// `width` parts per group.
    parts: Vec<Part<'a>>,
}

impl<'a> Groups<'a> {
    fn new(width: usize) -> Self {
        Groups {
            width,
            slots: vec![0; 16],
            hashes: Vec::new(),
            parts: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn key(&self, g: usize) -> &[Part<'a>] {
        &self.parts[g * self.width..(g + 1) * self.width]
    }

    /// The number of the group with key `row` (whose hash is `h`), added if new.
    #[inline(always)]
    fn id(&mut self, h: u64, row: &[Part<'a>]) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return self.insert(h, row, i);
            }
            let g = (slot as u32 - 1) as usize;
            if slot >> 32 == h >> 32 && self.key(g) == row {
                return g as u32;
            }
            i = (i + 1) & mask;
        }
    }

    /// Add a group in the empty slot `i`; the table doubles when half full.
    #[cold]
    #[inline(never)]
    fn insert(&mut self, h: u64, row: &[Part<'a>], i: usize) -> u32 {
        self.hashes.push(h);
        self.parts.extend_from_slice(row);
        let g = self.len() as u32 - 1;
        self.slots[i] = Self::slot(h, g);
        if 2 * self.len() > self.slots.len() {
            let len = 2 * self.slots.len();
            self.slots = vec![0; len];
            for (g, &h) in self.hashes.iter().enumerate() {
                let mut i = h as usize & (len - 1);
                while self.slots[i] != 0 {
                    i = (i + 1) & (len - 1);
                }
                self.slots[i] = Self::slot(h, g as u32);
            }
        }
        g
    }

    /// A slot's content: the hash's high half (checked before the key), then the
    /// group's number + 1 (0 is an empty slot).
    fn slot(h: u64, g: u32) -> u64 {
        (h & 0xFFFF_FFFF_0000_0000) | (u64::from(g) + 1)
    }
}

/// A two-choice cache from the raw 16-byte views of one `utf8_view` array to the
/// numbers of their strings in a column's [`Groups`]: a repeated view (every row of a
/// short string, and the rows of a long one that share its bytes, as a dictionary or
/// `gather` leaves them) costs one load and one compare instead of hashing the string
/// and comparing it with the table's key. A miss (a new view, or one whose two slots
/// others hold) looks the string up as before and takes a slot.
#[derive(Debug, Clone)]
struct ViewCache {
    /// The chunk (array) of the column whose views are cached: a long string's view
    /// points into its own array's data buffers.
    chunk: usize,
    views: Vec<u128>,
    /// The number of the view in each slot (`NO_NUMBER`: the slot is empty).
    numbers: Vec<u32>,
    shift: u32,
}

const NO_NUMBER: u32 = u32::MAX;

/// Slots of a new cache (a power of two), and at most (8 per distinct value seen, up
/// to this bound: most values then find their first slot free, which the tight pass of
/// [`ViewCache::first_slots`] reads; with a second slot to choose from, few lack one).
const CACHE_MIN: usize = 1 << 8;
const CACHE_MAX: usize = 1 << 16;

impl ViewCache {
    fn new() -> Self {
        ViewCache {
            chunk: usize::MAX,
            views: Vec::new(),
            numbers: Vec::new(),
            shift: 64,
        }
    }

    /// Ready for the views of `chunk`, with `distinct` values numbered so far: emptied
    /// when the chunk changes, grown (and emptied) when it is small for the values.
    fn prepare(&mut self, chunk: usize, distinct: usize) {
        let want = (8 * distinct)
            .next_power_of_two()
            .clamp(CACHE_MIN, CACHE_MAX);
        if chunk != self.chunk || want > self.views.len() {
            let size = want.max(self.views.len());
            self.chunk = chunk;
            self.views.clear();
            self.views.resize(size, 0);
            self.numbers.clear();
            self.numbers.resize(size, NO_NUMBER);
            self.shift = 64 - size.trailing_zeros();
        }
    }

    /// The hash of a view: its halves folded, then one multiply.
    #[inline(always)]
    fn hash(view: u128) -> u64 {
        let folded = (view as u64) ^ ((view >> 64) as u64).rotate_left(23);
        folded.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// The view's two slots: the first, and another from other bits of its hash.
    #[inline(always)]
    fn slots(&self, view: u128) -> (usize, usize) {
        let h = Self::hash(view);
        let mask = (self.views.len() - 1) as u64;
        ((h >> self.shift) as usize, ((h >> 20) & mask) as usize)
    }

    /// The number of `view` if cached, looked in its first slot, then its second.
    #[inline(always)]
    fn get(&self, view: u128) -> Option<u32> {
        let (first, second) = self.slots(view);
        let known = self.numbers[first];
        if known != NO_NUMBER && self.views[first] == view {
            return Some(known);
        }
        let known = self.numbers[second];
        (known != NO_NUMBER && self.views[second] == view).then_some(known)
    }

    /// Each view's number if its first slot holds it, else `NO_NUMBER`: `views` the
    /// 16-byte views of `out.len()` rows. One load and compare per row, no branch;
    /// returns the rows missed.
    fn first_slots(&self, views: &[u8], out: &mut [u32]) -> usize {
        let (cached, numbers) = (&self.views[..], &self.numbers[..]);
        let shift = self.shift;
        let mut missed = 0;
        for (o, v) in out.iter_mut().zip(views.chunks_exact(16)) {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(v);
            let view = u128::from_le_bytes(bytes);
            let slot = (Self::hash(view) >> shift) as usize;
            let same = cached.get(slot).is_some_and(|&c| c == view);
            *o = if same { numbers[slot] } else { NO_NUMBER };
            missed += usize::from(*o == NO_NUMBER);
        }
        missed
    }

    /// Cache the number of `view`: in its first slot if free, else in its second (so a
    /// view in its first slot stays while others come and go).
    #[cold]
    fn put(&mut self, view: u128, number: u32) {
        let (first, second) = self.slots(view);
        let slot = if self.numbers[first] == NO_NUMBER {
            first
        } else {
            second
        };
        self.views[slot] = view;
        self.numbers[slot] = number;
    }
}

/// Groups of two key columns by the pair of their values' numbers `(a, b)`, in a grid
/// at `a << bits | b` (`NO_NUMBER`: not seen): for the usual keys with few values.
#[derive(Debug, Clone)]
struct Grid {
    bits: u32,
    groups: Vec<u32>,
}

/// Cells of the largest grid (beyond it the pairs are hashed).
const GRID_MAX: usize = 1 << 16;

impl Grid {
    fn new() -> Self {
        Grid {
            bits: 0,
            groups: Vec::new(),
        }
    }

    /// Whether pairs up to (`a`, `b`) fit in a grid of at most `GRID_MAX` cells (the
    /// grid grows to hold them, keeping what it holds).
    fn fits(&mut self, a: usize, b: usize) -> bool {
        let bits = self.bits.max(usize::BITS - b.leading_zeros());
        let rows = (a + 1).max(self.groups.len() >> self.bits);
        if rows > GRID_MAX >> bits {
            return false;
        }
        let cells = rows << bits;
        if bits != self.bits {
            let mut grown = vec![NO_NUMBER; cells];
            for (i, &g) in self.groups.iter().enumerate() {
                let (a, b) = (i >> self.bits, i & ((1 << self.bits) - 1));
                grown[(a << bits) | b] = g;
            }
            self.groups = grown;
            self.bits = bits;
        } else if cells > self.groups.len() {
            self.groups.resize(cells, NO_NUMBER);
        }
        true
    }
}

/// Groups of two key columns by the pair of their values' numbers (one u64): a
/// smaller table than one of the values themselves, so it stays in cache.
#[derive(Debug, Clone)]
struct Pairs {
    /// The pair in each slot (`EMPTY`: none); a power-of-two length.
    keys: Vec<u64>,
    /// The group of the pair in each slot.
    groups: Vec<u32>,
    len: usize,
}

const EMPTY: u64 = u64::MAX;

impl Pairs {
    fn new() -> Self {
        Pairs {
            keys: vec![EMPTY; 64],
            groups: vec![0; 64],
            len: 0,
        }
    }

    #[inline(always)]
    fn slot(&self, key: u64) -> usize {
        let bits = self.keys.len().trailing_zeros();
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    /// The group of `key`, or `None` with the empty slot where it goes.
    #[inline(always)]
    fn find(&self, key: u64) -> std::result::Result<u32, usize> {
        let mask = self.keys.len() - 1;
        let mut i = self.slot(key);
        loop {
            let k = self.keys[i];
            if k == key {
                return Ok(self.groups[i]);
            }
            if k == EMPTY {
                return Err(i);
            }
            i = (i + 1) & mask;
        }
    }

    #[cold]
    #[inline(never)]
    fn insert(&mut self, key: u64, group: u32, i: usize) {
        self.keys[i] = key;
        self.groups[i] = group;
        self.len += 1;
        if 2 * self.len > self.keys.len() {
            let len = 2 * self.keys.len();
            let old = std::mem::replace(&mut self.keys, vec![EMPTY; len]);
            let groups = std::mem::replace(&mut self.groups, vec![0; len]);
            for (k, g) in old.into_iter().zip(groups) {
                if k != EMPTY {
                    let mut i = self.slot(k);
                    while self.keys[i] != EMPTY {
                        i = (i + 1) & (self.keys.len() - 1);
                    }
                    self.keys[i] = k;
                    self.groups[i] = g;
                }
            }
        }
    }
}

/// Why a pass stopped: string buffers that do not hold together, or bad input.
#[derive(Debug)]
enum Stop {
    Malformed,
    Error(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Error(e)
    }
}

impl From<Malformed> for Stop {
    fn from(_: Malformed) -> Self {
        Stop::Malformed
    }
}

/// Rows hashed and summed together (their values stay in cache between the hash, the
/// range scan and the add).
const BLOCK: usize = 1 << 14;

/// A stretch of rows inside one chunk of every string column.
struct Task {
    lo: usize,
    hi: usize,
    /// Per key column: (chunk, row of `lo` in that chunk); (0, lo) for codes.
    at: Vec<(usize, usize)>,
}

/// The tasks covering `rows` rows: blocks of at most `BLOCK` rows, cut at every chunk
/// boundary. Checks that each key column has `rows` rows.
fn tasks(keys: &[KeyColumn<'_>], rows: usize) -> Result<Vec<Task>> {
    let mut cuts = vec![0, rows];
    for (k, key) in keys.iter().enumerate() {
        let n = match key {
            KeyColumn::Strings(arrays) => {
                let mut n = 0;
                for a in arrays {
                    n += a.len;
                    cuts.push(n.min(rows));
                }
                n
            }
            KeyColumn::Codes(c) => c.len(),
        };
        if n != rows {
            return Err(Error::input(
                format!("key {k}"),
                format!("{n} values for {rows} rows"),
            ));
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    // Per string column: its current chunk and that chunk's first row.
    let mut chunk: Vec<(usize, usize)> = vec![(0, 0); keys.len()];
    for w in cuts.windows(2) {
        let mut lo = w[0];
        while lo < w[1] {
            let hi = (lo + BLOCK).min(w[1]);
            let at = keys
                .iter()
                .zip(chunk.iter_mut())
                .map(|(key, (c, first))| match key {
                    KeyColumn::Strings(arrays) => {
                        while lo >= *first + arrays[*c].len {
                            *first += arrays[*c].len;
                            *c += 1;
                        }
                        (*c, lo - *first)
                    }
                    KeyColumn::Codes(_) => (0, lo),
                })
                .collect();
            out.push(Task { lo, hi, at });
            lo = hi;
        }
    }
    Ok(out)
}

/// Codes below this index a table of groups directly (one column of codes).
const DENSE_CODES: usize = 1 << 24;

/// The groups and sums of some of the rows.
struct Partial<'a> {
    groups: Groups<'a>,
    /// For one or two key columns: each column's values numbered (with a cache of
    /// views), and the groups of the pairs (of the single values: `singles`).
    columns: [Groups<'a>; 2],
    caches: [ViewCache; 2],
    grid: Grid,
    pairs: Pairs,
    singles: Vec<u32>,
    /// Each row's numbers in the two columns, for the current block.
    na: Vec<u32>,
    nb: Vec<u32>,
    sums: GroupedSums,
    /// Group of each row of the current block.
    ids: Vec<u32>,
    row: Vec<Part<'a>>,
}

impl<'a> Partial<'a> {
    fn new(width: usize, columns: usize) -> Result<Self> {
        Ok(Partial {
            groups: Groups::new(width),
            columns: [Groups::new(1), Groups::new(1)],
            caches: [ViewCache::new(), ViewCache::new()],
            grid: Grid::new(),
            pairs: Pairs::new(),
            singles: Vec::new(),
            na: Vec::new(),
            nb: Vec::new(),
            sums: GroupedSums::new(0, columns)?,
            ids: Vec::new(),
            row: Vec::with_capacity(width),
        })
    }

    fn add(
        &mut self,
        keys: &[KeyColumn<'a>],
        values: &[&[f64]],
        task: &Task,
    ) -> std::result::Result<(), Stop> {
        let n = task.hi - task.lo;
        self.ids.clear();
        match keys {
            // The usual shapes, without the general loop's per-row dispatch.
            [only @ KeyColumn::Strings(_)] => {
                // The column's values numbered (through the cache of views), then each
                // number's group (numbers and groups both count the distinct values,
                // but a merged partial's groups may come in another order).
                let [ca, _] = &mut self.columns;
                let [cache, _] = &mut self.caches;
                Self::numbers(ca, cache, only, task.at[0], n, &mut self.na)?;
                // The groups of the values numbered since the last block, then one
                // gather (every number of the block has its group).
                for k in self.singles.len()..self.columns[0].len() {
                    let p = [self.columns[0].parts[k]];
                    let g = self.groups.id(hash_row(&p), &p);
                    self.singles.push(g);
                }
                let singles = &self.singles;
                self.ids
                    .extend(self.na.iter().map(|&na| singles[na as usize]));
            }
            [first, second] => {
                // Each column's values numbered in its own small table, a column at a
                // time, then the pairs of numbers looked up (a new pair is a new group,
                // or one the general loop of another partial saw: the same key).
                let [ca, cb] = &mut self.columns;
                let [ka, kb] = &mut self.caches;
                Self::numbers(ca, ka, first, task.at[0], n, &mut self.na)?;
                Self::numbers(cb, kb, second, task.at[1], n, &mut self.nb)?;
                // The pairs' groups in a grid indexed by the two numbers while the
                // numbers are few (one load per row), else in the hashed table of pairs;
                // both only remember groups found in `groups`, so either serves a block.
                let max_a = self.na.iter().copied().max().unwrap_or(0) as usize;
                let max_b = self.nb.iter().copied().max().unwrap_or(0) as usize;
                if self.grid.fits(max_a, max_b) {
                    // One gather from the grid, then the pairs it did not know yet.
                    let bits = self.grid.bits;
                    let grid = &self.grid.groups;
                    self.ids.extend(
                        self.na
                            .iter()
                            .zip(&self.nb)
                            .map(|(&na, &nb)| grid[((na as usize) << bits) | nb as usize]),
                    );
                    for (i, id) in self.ids.iter_mut().enumerate() {
                        if *id == NO_NUMBER {
                            let (na, nb) = (self.na[i], self.nb[i]);
                            let at = ((na as usize) << bits) | nb as usize;
                            let mut g = self.grid.groups[at];
                            if g == NO_NUMBER {
                                let p = [
                                    Self::part_of(&self.columns[0], first, na),
                                    Self::part_of(&self.columns[1], second, nb),
                                ];
                                g = self.groups.id(hash_row(&p), &p);
                                self.grid.groups[at] = g;
                            }
                            *id = g;
                        }
                    }
                } else {
                    for (&na, &nb) in self.na.iter().zip(&self.nb) {
                        let key = (u64::from(na) << 32) | u64::from(nb);
                        let id = match self.pairs.find(key) {
                            Ok(g) => g,
                            Err(slot) => {
                                let p = [
                                    Self::part_of(&self.columns[0], first, na),
                                    Self::part_of(&self.columns[1], second, nb),
                                ];
                                let g = self.groups.id(hash_row(&p), &p);
                                self.pairs.insert(key, g, slot);
                                g
                            }
                        };
                        self.ids.push(id);
                    }
                }
            }
            // No keys: every row in the one group.
            [] => {
                let id = self.groups.id(hash_row(&[]), &[]);
                self.ids.resize(n, id);
            }
            // One column of codes (dense, as `value_codes` makes them): each code's
            // group in a table indexed by the code.
            [KeyColumn::Codes(codes)]
                if codes[task.lo..task.hi]
                    .iter()
                    .all(|&c| (c as usize) < DENSE_CODES) =>
            {
                for &c in &codes[task.lo..task.hi] {
                    let c = c as usize;
                    if c >= self.singles.len() {
                        self.singles.resize(c + 1, NO_NUMBER);
                    }
                    let mut id = self.singles[c];
                    if id == NO_NUMBER {
                        let p = [Part::Short(c as u128)];
                        id = self.groups.id(hash_row(&p), &p);
                        self.singles[c] = id;
                    }
                    self.ids.push(id);
                }
            }
            _ => {
                for i in 0..n {
                    self.row.clear();
                    for (key, &(c, s)) in keys.iter().zip(&task.at) {
                        self.row.push(match key {
                            KeyColumn::Strings(arrays) => arrays[c].part(s + i)?,
                            KeyColumn::Codes(codes) => Part::Short(u128::from(codes[s + i])),
                        });
                    }
                    let id = self.groups.id(hash_row(&self.row), &self.row);
                    self.ids.push(id);
                }
            }
        }
        self.sums.grow(self.groups.len());
        let slices: Vec<&[f64]> = values.iter().map(|v| &v[task.lo..task.hi]).collect();
        self.sums.add(&self.ids, &slices)?;
        Ok(())
    }

    /// The numbers of `n` rows of `key` from `at` (chunk, row) into `out`: a string's
    /// in `numbers` (a view's through `cache`), a code's itself.
    fn numbers(
        numbers: &mut Groups<'a>,
        cache: &mut ViewCache,
        key: &KeyColumn<'a>,
        at: (usize, usize),
        n: usize,
        out: &mut Vec<u32>,
    ) -> std::result::Result<(), Malformed> {
        out.clear();
        match key {
            KeyColumn::Strings(arrays) if arrays[at.0].layout == Layout::View => {
                let a = &arrays[at.0];
                cache.prepare(at.0, numbers.len());
                out.resize(n, 0);
                if a.all_valid(at.1, n) {
                    // Without nulls: a tight pass that takes each view's number from its
                    // first slot, then the rows it missed (few: a value's first rows in
                    // the chunk, or a view in its second slot) one by one.
                    let lo = 16 * (a.offset + at.1);
                    let views = a.index.get(lo..lo + 16 * n).ok_or(Malformed)?;
                    if cache.first_slots(views, out) == 0 {
                        return Ok(());
                    }
                    for (j, o) in out.iter_mut().enumerate() {
                        if *o == NO_NUMBER {
                            let view = a.raw_view(at.1 + j).ok_or(Malformed)?;
                            *o = Self::number_of(numbers, cache, a, at.1 + j, view)?;
                        }
                    }
                    return Ok(());
                }
                for (o, i) in out.iter_mut().zip(at.1..at.1 + n) {
                    *o = match a.raw_view(i) {
                        Some(view) => Self::number_of(numbers, cache, a, i, view)?,
                        None => numbers.id(hash_row(&[Part::Null]), &[Part::Null]),
                    };
                }
            }
            KeyColumn::Strings(arrays) => {
                let a = &arrays[at.0];
                for i in at.1..at.1 + n {
                    let p = [a.part(i)?];
                    out.push(numbers.id(hash_row(&p), &p));
                }
            }
            KeyColumn::Codes(codes) => out.extend_from_slice(&codes[at.1..at.1 + n]),
        }
        Ok(())
    }

    /// The number of row `i` of the views `a`, whose view is `view` (not null): from
    /// `cache`, else found or added in `numbers` and cached.
    #[inline(always)]
    fn number_of(
        numbers: &mut Groups<'a>,
        cache: &mut ViewCache,
        a: &StringArray<'a>,
        i: usize,
        view: u128,
    ) -> std::result::Result<u32, Malformed> {
        if let Some(known) = cache.get(view) {
            return Ok(known);
        }
        let p = [a.part(i)?];
        let k = numbers.id(hash_row(&p), &p);
        cache.put(view, k);
        Ok(k)
    }

    /// The key part numbered `n` by [`Partial::numbers`].
    fn part_of(numbers: &Groups<'a>, key: &KeyColumn<'a>, n: u32) -> Part<'a> {
        match key {
            KeyColumn::Strings(_) => numbers.parts[n as usize],
            KeyColumn::Codes(_) => Part::Short(u128::from(n)),
        }
    }

    /// Add another partial (its groups found or added here).
    fn merge(&mut self, other: &Partial<'a>) -> Result<()> {
        let map: Vec<u32> = (0..other.groups.len())
            .map(|g| self.groups.id(other.groups.hashes[g], other.groups.key(g)))
            .collect();
        self.sums.grow(self.groups.len());
        self.sums.merge_mapped(&other.sums, &map)
    }
}

/// The distinct values of one key column, in sorted order (nulls last).
#[derive(Debug, Clone, PartialEq)]
pub enum Labels {
    /// Strings (`None`: null).
    Strings(Vec<Option<String>>),
    /// Codes.
    Codes(Vec<u32>),
}

/// The grouped counts and sums of [`keyed_sums`].
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedSums {
    /// Per key column, the distinct values present, sorted.
    pub labels: Vec<Labels>,
    /// One row per group (or a few per group for a partial table), sorted by the keys;
    /// `cell` is the mixed-radix combination of the groups' ranks in `labels` (the last
    /// key varies fastest).
    pub table: GroupedTable,
}

/// A sortable form of a key part: strings by their bytes, codes by value, null last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Value(u128),
    Bytes(Vec<u8>),
    Null,
}

/// Counts and exact sums of `values` over the combinations of `keys` present, in one
/// hashed pass over the `rows` rows (see the module documentation): identical, order
/// and bits, for any number of threads. With `partial`, each group's sums are spread
/// over a few rows whose values add up exactly to them (the long partial table of
/// [`crate::sums::grouped_partials`]). `Ok(None)` when a string column's buffers do not
/// hold together (the caller codes it another way).
pub fn keyed_sums(
    keys: &[KeyColumn<'_>],
    values: &[&[f64]],
    rows: usize,
    partial: bool,
) -> Result<Option<KeyedSums>> {
    crate::sums::check_sizes(values, rows)?;
    let Some(total) = grouped(keys, values, rows, rayon::current_num_threads())? else {
        return Ok(None);
    };
    let codes: Vec<bool> = keys
        .iter()
        .map(|k| matches!(k, KeyColumn::Codes(_)))
        .collect();
    output(&total.groups, &codes, &total.sums, partial)
}

/// The groups and sums of the `rows` rows in one partial, found by up to `threads`
/// partials over runs of consecutive tasks, merged exactly (`None`: a string column's
/// buffers do not hold together).
fn grouped<'a>(
    keys: &[KeyColumn<'a>],
    values: &[&[f64]],
    rows: usize,
    threads: usize,
) -> Result<Option<Partial<'a>>> {
    let tasks = tasks(keys, rows)?;
    let (width, columns) = (keys.len(), values.len());
    // One partial per thread, over a run of consecutive tasks: each partial finds every
    // group (and every value of each key) once, so more partials would cost more than
    // they balance (the merge is exact, so the split does not change the result).
    let per = tasks.len().div_ceil(threads.max(1)).max(1);
    let one = |run: &[Task]| {
        let mut p = Partial::new(width, columns)?;
        for task in run {
            p.add(keys, values, task)?;
        }
        Ok::<_, Stop>(p)
    };
    let parts = if threads <= 1 {
        one(&tasks).map(|p| vec![p])
    } else {
        tasks
            .par_chunks(per)
            .map(one)
            .collect::<std::result::Result<Vec<_>, Stop>>()
    };
    let parts = match parts {
        Ok(p) => p,
        Err(Stop::Malformed) => return Ok(None),
        Err(Stop::Error(e)) => return Err(e),
    };
    let mut parts = parts.into_iter();
    let mut total = match parts.next() {
        Some(p) => p,
        None => Partial::new(width, columns)?,
    };
    for p in parts {
        total.merge(&p)?;
    }
    Ok(Some(total))
}

/// A key part kept by a [`KeyedState`] after the batch it came from is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OwnedPart {
    Null,
    Short(u128),
    Long(Box<[u8]>),
}

impl OwnedPart {
    fn of(p: &Part<'_>) -> Self {
        match *p {
            Part::Null => OwnedPart::Null,
            Part::Short(v) => OwnedPart::Short(v),
            Part::Long(b) => OwnedPart::Long(b.into()),
        }
    }

    fn part(&self) -> Part<'_> {
        match self {
            OwnedPart::Null => Part::Null,
            OwnedPart::Short(v) => Part::Short(*v),
            OwnedPart::Long(b) => Part::Long(b),
        }
    }
}

/// The counts and exact sums of [`keyed_sums`] over rows that come in batches (a file
/// read slice by slice): each batch is grouped in one pass on the calling thread and
/// its groups are found (or added) among the state's, whose keys the state owns; the
/// sums merge exactly, so the result is [`keyed_sums`]' over all the rows, bits and
/// order, whatever the batches. Codes keys must mean the same value in every batch.
#[derive(Debug, Clone)]
pub struct KeyedState {
    /// Per key column, whether it holds codes (fixed by the first batch).
    codes: Option<Vec<bool>>,
    width: usize,
    /// `width` parts per group, and each group's hash.
    keys: Vec<OwnedPart>,
    hashes: Vec<u64>,
    /// The first group of each hash, and the next group of the same hash.
    first: std::collections::HashMap<u64, u32>,
    next: Vec<u32>,
    sums: GroupedSums,
    rows: u64,
}

impl KeyedState {
    /// A state for `width` key columns and `columns` value columns.
    pub fn new(width: usize, columns: usize) -> Result<Self> {
        Ok(KeyedState {
            codes: None,
            width,
            keys: Vec::new(),
            hashes: Vec::new(),
            first: std::collections::HashMap::new(),
            next: Vec::new(),
            sums: GroupedSums::new(0, columns)?,
            rows: 0,
        })
    }

    /// The rows added so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The groups found so far.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Whether no group has been found.
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    fn key(&self, g: usize) -> &[OwnedPart] {
        &self.keys[g * self.width..(g + 1) * self.width]
    }

    /// The number of the group of key `row` (hash `h`), added if new.
    fn id(&mut self, h: u64, row: &[Part<'_>]) -> u32 {
        let mut g = self.first.get(&h).copied().unwrap_or(NO_NUMBER);
        while g != NO_NUMBER {
            if self
                .key(g as usize)
                .iter()
                .zip(row)
                .all(|(a, b)| a.part() == *b)
            {
                return g;
            }
            g = self.next[g as usize];
        }
        let g = self.hashes.len() as u32;
        self.keys.extend(row.iter().map(OwnedPart::of));
        self.hashes.push(h);
        self.next.push(self.first.insert(h, g).unwrap_or(NO_NUMBER));
        g
    }

    /// Check that `codes` (per key column, whether it holds codes) is the state's.
    fn kinds(&mut self, codes: Vec<bool>) -> Result<()> {
        if codes.len() != self.width {
            return Err(Error::input(
                "keys",
                format!("{} key columns for a state of {}", codes.len(), self.width),
            ));
        }
        match &self.codes {
            Some(known) if *known != codes => Err(Error::input(
                "keys",
                "a key column holds codes in one batch and strings in another",
            )),
            Some(_) => Ok(()),
            None => {
                self.codes = Some(codes);
                Ok(())
            }
        }
    }

    /// Add a batch of `rows` rows, grouped on the calling thread (`parallel`: on the
    /// threads of the pool, when nothing else runs meanwhile); `Ok(false)` (nothing
    /// added) when a string column's buffers do not hold together.
    pub fn add(
        &mut self,
        keys: &[KeyColumn<'_>],
        values: &[&[f64]],
        rows: usize,
        parallel: bool,
    ) -> Result<bool> {
        crate::sums::check_sizes(values, rows)?;
        if values.len() != self.sums.columns() {
            return Err(Error::input(
                "values",
                format!(
                    "{} value columns for a state of {}",
                    values.len(),
                    self.sums.columns()
                ),
            ));
        }
        self.kinds(
            keys.iter()
                .map(|k| matches!(k, KeyColumn::Codes(_)))
                .collect(),
        )?;
        let threads = if parallel {
            rayon::current_num_threads()
        } else {
            1
        };
        let Some(p) = grouped(keys, values, rows, threads)? else {
            return Ok(false);
        };
        let map: Vec<u32> = (0..p.groups.len())
            .map(|g| self.id(p.groups.hashes[g], p.groups.key(g)))
            .collect();
        self.absorb(&p.sums, &map, rows as u64)?;
        Ok(true)
    }

    /// Add `sums`, whose group `i` is this state's group `map[i]`, over `rows` rows.
    fn absorb(&mut self, sums: &GroupedSums, map: &[u32], rows: u64) -> Result<()> {
        self.sums.grow(self.len());
        self.sums.merge_mapped(sums, map)?;
        self.rows += rows;
        Ok(())
    }

    /// Add another state's groups and sums (exactly: the order of merging does not
    /// change the result).
    pub fn merge(&mut self, other: &KeyedState) -> Result<()> {
        if other.width != self.width || other.sums.columns() != self.sums.columns() {
            return Err(Error::input(
                "state",
                "states of different key or value columns cannot merge",
            ));
        }
        if let Some(codes) = &other.codes {
            self.kinds(codes.clone())?;
        }
        let map: Vec<u32> = (0..other.len())
            .map(|g| {
                let row: Vec<Part<'_>> = other.key(g).iter().map(OwnedPart::part).collect();
                self.id(other.hashes[g], &row)
            })
            .collect();
        self.absorb(&other.sums, &map, other.rows)
    }

    /// The table of [`keyed_sums`] over every row added (`partial`: the long partial
    /// table); `None` when a string is not UTF-8.
    pub fn finish(&self, partial: bool) -> Result<Option<KeyedSums>> {
        let mut groups = Groups::new(self.width);
        let mut row = Vec::with_capacity(self.width);
        for g in 0..self.len() {
            row.clear();
            row.extend(self.key(g).iter().map(OwnedPart::part));
            groups.id(self.hashes[g], &row);
        }
        let codes = self
            .codes
            .clone()
            .unwrap_or_else(|| vec![false; self.width]);
        output(&groups, &codes, &self.sums, partial)
    }
}

/// The table of `groups` and their `sums` in sorted order of the keys (`codes[k]`:
/// key `k` holds codes, not strings); with `partial`, the long partial table. `None`
/// when a string is not UTF-8.
fn output(
    groups: &Groups<'_>,
    codes: &[bool],
    sums: &GroupedSums,
    partial: bool,
) -> Result<Option<KeyedSums>> {
    let Some((labels, cell)) = label(groups, codes)? else {
        return Ok(None);
    };
    let mut order: Vec<usize> = (0..cell.len()).collect();
    order.sort_unstable_by_key(|&g| cell[g]);
    let sorted_cells = order.iter().map(|&g| cell[g]).collect();
    let table = if partial {
        let p = sums.finish_partials();
        let sorted = GroupedPartials {
            cell: sorted_cells,
            count: order.iter().map(|&g| p.count[g]).collect(),
            partials: p
                .partials
                .iter()
                .map(|c| order.iter().map(|&g| c[g].clone()).collect())
                .collect(),
        };
        long_partials(&sorted, |c| c)
    } else {
        let t = sums.finish();
        GroupedTable {
            cell: sorted_cells,
            count: order.iter().map(|&g| t.count[g]).collect(),
            sums: t
                .sums
                .iter()
                .map(|c| order.iter().map(|&g| c[g]).collect())
                .collect(),
        }
    };
    Ok(Some(KeyedSums { labels, table }))
}

/// The sorted distinct values of each key column, and each group's mixed-radix cell of
/// its ranks; `None` when a string is not UTF-8.
#[allow(clippy::type_complexity)]
fn label(groups: &Groups<'_>, codes: &[bool]) -> Result<Option<(Vec<Labels>, Vec<u64>)>> {
    let mut cell = vec![0u64; groups.len()];
    let mut labels = Vec::with_capacity(codes.len());
    let mut product: u64 = 1;
    let mut sizes = Vec::new();
    for (k, &codes) in codes.iter().enumerate() {
        let mut distinct = Groups::new(1);
        let local: Vec<u32> = (0..groups.len())
            .map(|g| {
                let p = [groups.key(g)[k]];
                distinct.id(hash_row(&p), &p)
            })
            .collect();
        let sort: Vec<SortKey> = distinct
            .parts
            .iter()
            .map(|p| match (p, codes) {
                (Part::Null, _) => SortKey::Null,
                (Part::Short(v), true) => SortKey::Value(*v),
                (p, _) => SortKey::Bytes(p.bytes().unwrap_or_default()),
            })
            .collect();
        let mut order: Vec<u32> = (0..sort.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| sort[a as usize].cmp(&sort[b as usize]));
        let mut rank = vec![0u64; sort.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u64;
        }
        let n = sort.len().max(1) as u64;
        sizes.push(n.to_string());
        product = product.checked_mul(n).ok_or_else(|| {
            Error::input(
                "by",
                format!(
                    "the keys' combinations ({}) exceed 2^64; group by fewer keys",
                    sizes.join(" x ")
                ),
            )
        })?;
        for (c, &l) in cell.iter_mut().zip(&local) {
            *c = *c * n + rank[l as usize];
        }
        labels.push(if codes {
            Labels::Codes(
                order
                    .iter()
                    .map(|&i| match distinct.parts[i as usize] {
                        Part::Short(v) => v as u32,
                        _ => 0,
                    })
                    .collect(),
            )
        } else {
            let mut strings = Vec::with_capacity(order.len());
            for &i in &order {
                match &sort[i as usize] {
                    SortKey::Bytes(b) => match String::from_utf8(b.clone()) {
                        Ok(s) => strings.push(Some(s)),
                        Err(_) => return Ok(None),
                    },
                    _ => strings.push(None),
                }
            }
            Labels::Strings(strings)
        });
    }
    Ok(Some((labels, cell)))
}

/// Code of a null before the final numbering.
const NULL: u32 = u32::MAX;

/// Rows coded together by [`string_codes`].
const TASK: usize = 1 << 16;

/// Values a block of string rows compares with before hashing: most group columns
/// hold a handful (value k of a block has number k while they are this few).
const FEW: usize = 8;

/// Most values of block 0 that number the other blocks first ([`string_codes`]).
const SEED: usize = 256;

/// Number the rows `lo..` of an array of the offset layouts into `out` (in order of
/// first appearance in `numbering`, `NULL` for a null); whether a row is null.
fn number_parts<'a>(
    s: &StringArray<'a>,
    lo: usize,
    out: &mut [u32],
    numbering: &mut Groups<'a>,
) -> std::result::Result<bool, Malformed> {
    let mut few: Vec<Part<'_>> = Vec::with_capacity(FEW);
    if numbering.len() <= FEW {
        few.extend_from_slice(&numbering.parts);
    }
    let mut null = false;
    for (i, o) in out.iter_mut().enumerate() {
        *o = match s.part(lo + i)? {
            Part::Null => {
                null = true;
                NULL
            }
            v => match few.iter().position(|&f| f == v) {
                Some(k) => k as u32,
                None => {
                    let k = numbering.id(hash_row(&[v]), &[v]);
                    if numbering.len() > FEW {
                        few.clear();
                    } else if k as usize == few.len() {
                        few.push(v);
                    }
                    k
                }
            },
        };
    }
    Ok(null)
}

/// [`number_parts`] for an array of string views: a row's 16-byte view is compared
/// as one `u128` with the first [`FEW`] views of the block (without a branch per
/// view: rows of a few values in random order would mispredict one), before its
/// string is hashed. Equal views of one array are equal strings (a long string's view
/// names its bytes); a string whose views differ (a long one stored twice) is found by
/// hashing, so the numbers are those of [`number_parts`].
fn number_views<'a>(
    s: &StringArray<'a>,
    lo: usize,
    out: &mut [u32],
    numbering: &mut Groups<'a>,
) -> std::result::Result<bool, Malformed> {
    // The views' low and high halves, and their numbers.
    let (mut low, mut high, mut numbers) = ([0u64; FEW], [0u64; FEW], [NO_NUMBER; FEW]);
    let mut seen = 0;
    // The values numbered already (short strings: a view is the value itself).
    for (k, p) in numbering.parts.iter().enumerate().take(FEW) {
        if let Part::Short(v) = *p {
            (low[seen], high[seen], numbers[seen]) = (v as u64, (v >> 64) as u64, k as u32);
            seen += 1;
        }
    }
    let mut null = false;
    for (i, o) in out.iter_mut().enumerate() {
        let Some(view) = s.raw_view(lo + i) else {
            null = true;
            *o = NULL;
            continue;
        };
        let (l, h) = (view as u64, (view >> 64) as u64);
        // The slot holding the view (at most one does: the slots' views differ) as an
        // index built from masks, so that which slot matches is a load address, not a
        // branch; whether any matched is nearly always yes, a branch well predicted.
        let (mut slot, mut hit) = (0usize, false);
        for j in 0..seen {
            let same = ((low[j] ^ l) | (high[j] ^ h)) == 0;
            slot |= j & 0usize.wrapping_sub(usize::from(same));
            hit |= same;
        }
        let mut k = if hit { numbers[slot] } else { NO_NUMBER };
        if k == NO_NUMBER {
            let p = [s.part(lo + i)?];
            k = numbering.id(hash_row(&p), &p);
            if seen < FEW {
                (low[seen], high[seen], numbers[seen]) = (l, h, k);
                seen += 1;
            }
        }
        *o = k;
    }
    Ok(null)
}

/// Dense codes of a string column (its arrays one after the other), numbered in sorted
/// byte order of the values with null last, and the distinct values in that order (a
/// final `None` when there are nulls); `None` when the buffers do not hold together or
/// a value is not UTF-8. Each block of rows is numbered in parallel in order of first
/// appearance, then renumbered once all values are known.
#[allow(clippy::type_complexity)]
pub fn string_codes<'a>(arrays: &[StringArray<'a>]) -> Option<(Vec<u32>, Vec<Option<String>>)> {
    let mut codes = vec![0u32; arrays.iter().map(|s| s.len).sum::<usize>()];
    let mut tasks: Vec<(&StringArray<'a>, usize, &mut [u32])> = Vec::new();
    let mut rest = codes.as_mut_slice();
    for s in arrays {
        for lo in (0..s.len).step_by(TASK) {
            let n = TASK.min(s.len - lo);
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
            tasks.push((s, lo, head));
            rest = tail;
        }
    }
    // Block 0 first: its values, in sorted order, are the first numbers of every other
    // block, so that a block without other values (the usual case for a column of a
    // few groups) is numbered in final order already and skips the renumbering.
    let number = |(s, lo, out): &mut (&StringArray<'a>, usize, &mut [u32]),
                  seed: &[Part<'a>]|
     -> std::result::Result<(Groups<'a>, bool), Malformed> {
        let mut numbering = Groups::new(1);
        for p in seed {
            numbering.id(hash_row(std::slice::from_ref(p)), std::slice::from_ref(p));
        }
        let null = match s.layout {
            Layout::View => number_views(s, *lo, out, &mut numbering)?,
            _ => number_parts(s, *lo, out, &mut numbering)?,
        };
        Ok((numbering, null))
    };
    let mut parts: Vec<(Groups<'a>, bool)> = Vec::with_capacity(tasks.len());
    if let Some((first, others)) = tasks.split_first_mut() {
        parts.push(number(first, &[]).ok()?);
        let mut seed = parts[0].0.parts.clone();
        seed.sort_by_cached_key(|p| p.bytes());
        seed.truncate(if seed.len() <= SEED { seed.len() } else { 0 });
        parts.extend(
            others
                .par_iter_mut()
                .map(|t| number(t, &seed))
                .collect::<std::result::Result<Vec<_>, Malformed>>()
                .ok()?,
        );
    }
    // One numbering over all parts, then ranks in sorted order.
    let mut numbering = Groups::new(1);
    let local: Vec<Vec<u32>> = parts
        .iter()
        .map(|(p, _)| {
            (0..p.len())
                .map(|g| numbering.id(p.hashes[g], p.key(g)))
                .collect()
        })
        .collect();
    let distinct: Vec<Vec<u8>> = numbering
        .parts
        .iter()
        .map(|p| p.bytes().unwrap_or_default())
        .collect();
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| distinct[a as usize].cmp(&distinct[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    let null_code = distinct.len() as u32;
    let any_null = tasks
        .into_par_iter()
        .zip(&local)
        .zip(&parts)
        .map(|(((_, _, out), local), (_, null))| {
            // A block without nulls whose numbers are final already (block 0's values
            // and no others, or values first seen in sorted order) keeps them.
            let numbered = local
                .iter()
                .enumerate()
                .all(|(k, &id)| rank[id as usize] == k as u32);
            if !numbered || *null {
                for o in out.iter_mut() {
                    *o = if *o == NULL {
                        null_code
                    } else {
                        rank[local[*o as usize] as usize]
                    };
                }
            }
            *null
        })
        .reduce(|| false, |a, b| a || b);
    let mut values = order
        .iter()
        .map(|&id| {
            String::from_utf8(distinct[id as usize].clone())
                .ok()
                .map(Some)
        })
        .collect::<Option<Vec<_>>>()?;
    if any_null {
        values.push(None);
    }
    Some((codes, values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sums::{grouped_partials, grouped_sums, KeyCodes};

    /// A `utf8` array of `values` (`None`: null).
    fn offsets(values: &[Option<&str>]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let mut index = 0i32.to_le_bytes().to_vec();
        let mut data = Vec::new();
        let mut validity = vec![0u8; values.len().div_ceil(8)];
        for (i, v) in values.iter().enumerate() {
            if let Some(s) = v {
                data.extend_from_slice(s.as_bytes());
                validity[i / 8] |= 1 << (i % 8);
            }
            index.extend_from_slice(&(data.len() as i32).to_le_bytes());
        }
        (validity, index, data)
    }

    /// A `utf8_view` array of `values`, long strings in one data buffer.
    fn views(values: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for s in values {
            let b = s.as_bytes();
            let mut view = [0u8; 16];
            view[..4].copy_from_slice(&(b.len() as u32).to_le_bytes());
            if b.len() <= 12 {
                view[4..4 + b.len()].copy_from_slice(b);
            } else {
                view[4..8].copy_from_slice(&b[..4]);
                view[12..16].copy_from_slice(&(data.len() as u32).to_le_bytes());
                data.extend_from_slice(b);
            }
            index.extend_from_slice(&view);
        }
        (index, data)
    }

    #[test]
    fn hashed_sums_equal_the_coded_sums_in_order_and_bits() {
        let mut rng = crate::rng::Rng::stream(5, 0);
        let n = 70_000;
        let names: Vec<String> = (0..40)
            .map(|i| {
                if i % 3 == 0 {
                    format!("a rather long district name {i:03}")
                } else {
                    format!("d{i:03}")
                }
            })
            .collect();
        let a: Vec<usize> = (0..n).map(|_| (rng.uniform() * 40.0) as usize).collect();
        let b: Vec<u32> = (0..n).map(|_| (rng.uniform() * 5.0) as u32).collect();
        let v: Vec<f64> = (0..n)
            .map(|_| (rng.uniform() * 4.0).floor() * 0.25 + 0.1)
            .collect();
        let strs: Vec<&str> = a.iter().map(|&i| names[i].as_str()).collect();
        let (index, data) = views(&strs);
        // Two chunks, cut off the block grid.
        let cut = 12_345;
        let first = StringArray::new(Layout::View, cut, 0, None, &index, vec![&data]).unwrap();
        let second =
            StringArray::new(Layout::View, n - cut, cut, None, &index, vec![&data]).unwrap();
        let keys = [
            KeyColumn::Strings(vec![first, second]),
            KeyColumn::Codes(&b),
        ];
        let got = keyed_sums(&keys, &[&v], n, false).unwrap().unwrap();
        // The reference: codes in sorted order of the names, then the coded sums.
        let mut sorted: Vec<&String> = names.iter().collect();
        sorted.sort();
        let code_a: Vec<u32> = a
            .iter()
            .map(|&i| sorted.iter().position(|s| **s == names[i]).unwrap() as u32)
            .collect();
        let codes: [&[u32]; 2] = [&code_a, &b];
        let kc = KeyCodes {
            codes: &codes,
            cardinalities: &[40, 5],
        };
        let want = grouped_sums(kc, &[&v], n).unwrap();
        assert_eq!(got.table, want);
        let want_p = grouped_partials(kc, &[&v], n).unwrap();
        assert_eq!(
            keyed_sums(&keys, &[&v], n, true).unwrap().unwrap().table,
            want_p
        );
        assert_eq!(
            got.labels[0],
            Labels::Strings(sorted.iter().map(|s| Some(s.to_string())).collect())
        );
        assert_eq!(got.labels[1], Labels::Codes(vec![0, 1, 2, 3, 4]));
        // Any number of threads gives the same table.
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let again = pool.install(|| keyed_sums(&keys, &[&v], n, false).unwrap().unwrap());
            assert_eq!(again, got);
        }
    }

    #[test]
    fn equal_views_of_different_chunks_are_different_strings() {
        // Two chunks whose long strings sit at the same offset of their own data
        // buffers: the same 16-byte view names different strings in each.
        let long = |c: char| format!("same{}", c.to_string().repeat(16));
        let (xa, xb) = (long('x'), long('y'));
        let (ia, da) = views(&[&xa, "s", &xa]);
        let (ib, db) = views(&[&xb, "s", &xb]);
        assert_eq!(ia, ib);
        let first = StringArray::new(Layout::View, 3, 0, None, &ia, vec![&da]).unwrap();
        let second = StringArray::new(Layout::View, 3, 0, None, &ib, vec![&db]).unwrap();
        let codes = [0u32, 1, 0, 1, 0, 1];
        let v = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        for two in [false, true] {
            let mut keys = vec![KeyColumn::Strings(vec![first.clone(), second.clone()])];
            if two {
                keys.push(KeyColumn::Codes(&codes));
            }
            let got = pool.install(|| keyed_sums(&keys, &[&v], 6, false).unwrap().unwrap());
            assert_eq!(
                got.labels[0],
                Labels::Strings(vec![Some("s".into()), Some(xa.clone()), Some(xb.clone())])
            );
            if two {
                // (s,1) (s,0) (x,0) (y,1) with rows 1, 4 | 0, 2 | 3, 5.
                assert_eq!(got.table.cell, vec![0, 1, 2, 5]);
                assert_eq!(got.table.count, vec![1, 1, 2, 2]);
                assert_eq!(got.table.sums, vec![vec![16.0, 2.0, 5.0, 40.0]]);
            } else {
                assert_eq!(got.table.count, vec![2, 2, 2]);
                assert_eq!(got.table.sums, vec![vec![18.0, 5.0, 40.0]]);
            }
        }
    }

    #[test]
    fn many_values_with_colliding_cache_slots() {
        // More distinct short and long values than the cache's slots, with nulls: the
        // cache only saves lookups, the groups are those of the values.
        let n = 50_000;
        let names: Vec<String> = (0..3_000)
            .map(|i| {
                if i % 2 == 0 {
                    format!("v{i}")
                } else {
                    format!("a long value number {i}")
                }
            })
            .collect();
        let pick: Vec<usize> = (0..n).map(|i| (i * 7919 + i / 3) % names.len()).collect();
        let values: Vec<Option<&str>> = pick
            .iter()
            .enumerate()
            .map(|(i, &k)| (i % 97 != 0).then_some(names[k].as_str()))
            .collect();
        let strs: Vec<&str> = values.iter().map(|v| v.unwrap_or("")).collect();
        let (index, data) = views(&strs);
        let (validity, oi, od) = offsets(&values);
        let view =
            StringArray::new(Layout::View, n, 0, Some(&validity), &index, vec![&data]).unwrap();
        let off =
            StringArray::new(Layout::Offsets32, n, 0, Some(&validity), &oi, vec![&od]).unwrap();
        let v: Vec<f64> = (0..n).map(|i| (i % 5) as f64 * 0.5).collect();
        let got = keyed_sums(&[KeyColumn::Strings(vec![view])], &[&v], n, false)
            .unwrap()
            .unwrap();
        let want = keyed_sums(&[KeyColumn::Strings(vec![off])], &[&v], n, false)
            .unwrap()
            .unwrap();
        assert_eq!(got, want);
        assert_eq!(got.table.count.iter().sum::<u64>(), n as u64);
    }

    #[test]
    fn nulls_sort_last_and_offsets_match_views() {
        let values = [
            Some("b"),
            None,
            Some("a"),
            Some("b"),
            None,
            Some("ccccccccccccccc"),
        ];
        let (validity, index, data) = offsets(&values);
        let arr = StringArray::new(
            Layout::Offsets32,
            6,
            0,
            Some(&validity),
            &index,
            vec![&data],
        )
        .unwrap();
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let keys = [KeyColumn::Strings(vec![arr.clone()])];
        let got = keyed_sums(&keys, &[&v], 6, false).unwrap().unwrap();
        assert_eq!(
            got.labels[0],
            Labels::Strings(vec![
                Some("a".into()),
                Some("b".into()),
                Some("ccccccccccccccc".into()),
                None
            ])
        );
        assert_eq!(got.table.cell, vec![0, 1, 2, 3]);
        assert_eq!(got.table.count, vec![1, 2, 1, 2]);
        assert_eq!(got.table.sums, vec![vec![3.0, 5.0, 6.0, 7.0]]);
        let (codes, labels) = string_codes(&[arr]).unwrap();
        assert_eq!(codes, vec![1, 3, 0, 1, 3, 2]);
        assert_eq!(labels.len(), 4);
        // The same strings as views.
        let (vi, vd) = views(&["b", "x", "a", "b", "x", "ccccccccccccccc"]);
        let varr = StringArray::new(Layout::View, 6, 0, Some(&validity), &vi, vec![&vd]).unwrap();
        let got_v = keyed_sums(&[KeyColumn::Strings(vec![varr])], &[&v], 6, false)
            .unwrap()
            .unwrap();
        assert_eq!(got_v, got);
    }

    /// Codes of views (compared as `u128` before hashing) and of offsets agree with
    /// the sorted distinct values, over blocks that skip the renumbering (values in
    /// sorted order, no nulls) and blocks that need it: more than `FEW` values, a long
    /// string stored twice (two views of one value), nulls, values first seen out of
    /// order.
    #[test]
    fn string_codes_of_views_match_the_values() {
        let long = "a string longer than twelve bytes";
        let pool = [
            "b", "a", long, "c", "d", "e", "f", "g", "h", "i", "j", "", long,
        ];
        let n = 3 * TASK + 17;
        // Block 0 sorted ("", "a", ..), block 1 two values first seen in order, the
        // rest scattered over the pool with nulls.
        let values: Vec<Option<&str>> = (0..n)
            .map(|i| match i / TASK {
                0 => Some(["", "a", "b"][3 * i / TASK]),
                1 => Some(["a", "b"][i % 2]),
                _ if i % 97 == 5 => None,
                _ => Some(pool[(i * 7 + i / 3) % pool.len()]),
            })
            .collect();
        let mut sorted: Vec<&str> = values.iter().flatten().copied().collect();
        sorted.sort_unstable();
        sorted.dedup();
        let expect: Vec<u32> = values
            .iter()
            .map(|v| match v {
                Some(v) => sorted.binary_search(v).unwrap() as u32,
                None => sorted.len() as u32,
            })
            .collect();
        let mut validity = vec![0u8; n.div_ceil(8)];
        for (i, v) in values.iter().enumerate() {
            if v.is_some() {
                validity[i / 8] |= 1 << (i % 8);
            }
        }
        let plain: Vec<&str> = values.iter().map(|v| v.unwrap_or("")).collect();
        let (vi, vd) = views(&plain);
        let varr = StringArray::new(Layout::View, n, 0, Some(&validity), &vi, vec![&vd]).unwrap();
        let (_, oi, od) = offsets(&values);
        let oarr =
            StringArray::new(Layout::Offsets32, n, 0, Some(&validity), &oi, vec![&od]).unwrap();
        let mut labels: Vec<Option<String>> = sorted.iter().map(|s| Some(s.to_string())).collect();
        labels.push(None);
        for arr in [varr, oarr] {
            let (codes, got) = string_codes(&[arr]).unwrap();
            assert_eq!(got, labels);
            assert!(codes == expect, "codes differ from the sorted values");
        }
        // A sorted column without nulls keeps the codes of the first pass.
        let (vi, vd) = views(&plain[..TASK]);
        let arr = StringArray::new(Layout::View, TASK, 0, None, &vi, vec![&vd]).unwrap();
        let (codes, got) = string_codes(&[arr]).unwrap();
        assert_eq!(got, [Some("".into()), Some("a".into()), Some("b".into())]);
        assert!((0..TASK).all(|i| codes[i] == (3 * i / TASK) as u32));
        // Two values, "b" first: block 0 is renumbered, the others are numbered by its
        // sorted values and kept.
        let two: Vec<&str> = (0..n).map(|i| ["b", "a"][(i / 3 + i / 5) % 2]).collect();
        let (vi, vd) = views(&two);
        let arr = StringArray::new(Layout::View, n, 0, None, &vi, vec![&vd]).unwrap();
        let (codes, got) = string_codes(&[arr]).unwrap();
        assert_eq!(got, [Some("a".into()), Some("b".into())]);
        assert!((0..n).all(|i| codes[i] == u32::from(two[i] == "b")));
    }

    #[test]
    fn views_code_as_offsets_with_few_and_many_values() {
        // Rows in no order of 4 short values, then of 12 (more than the few compared
        // without hashing), short and long, with nulls: views code as offsets do.
        for distinct in [4usize, 12] {
            let words: Vec<String> = (0..distinct)
                .map(|k| {
                    if k % 5 == 4 {
                        format!("long value number {k}")
                    } else {
                        format!("w{k}")
                    }
                })
                .collect();
            let rows: Vec<Option<&str>> = (0..5000usize)
                .map(|i| {
                    let k = (i * 7919 + i / 3) % (distinct + 1);
                    (k < distinct).then(|| words[k].as_str())
                })
                .collect();
            let (validity, index, data) = offsets(&rows);
            let off = StringArray::new(
                Layout::Offsets32,
                rows.len(),
                0,
                Some(&validity),
                &index,
                vec![&data],
            )
            .unwrap();
            let texts: Vec<&str> = rows.iter().map(|r| r.unwrap_or("")).collect();
            let (vi, vd) = views(&texts);
            let view =
                StringArray::new(Layout::View, rows.len(), 0, Some(&validity), &vi, vec![&vd])
                    .unwrap();
            let want = string_codes(&[off]).unwrap();
            assert_eq!(want.1.len(), distinct + 1);
            assert_eq!(string_codes(&[view]).unwrap(), want);
        }
    }

    /// A long partial table's groups: cell, count and each column's exact sum (the
    /// partials that carry a sum depend on the order of adding; the sum does not).
    fn collapsed(t: &GroupedTable) -> Vec<(u64, u64, Vec<f64>)> {
        let mut out: Vec<(u64, u64, Vec<crate::sums::ExactSum>)> = Vec::new();
        for i in 0..t.cell.len() {
            if out.last().is_none_or(|l| l.0 != t.cell[i]) {
                let sums = t
                    .sums
                    .iter()
                    .map(|_| crate::sums::ExactSum::new())
                    .collect();
                out.push((t.cell[i], 0, sums));
            }
            let last = out.last_mut().unwrap();
            last.1 += t.count[i];
            for (s, c) in last.2.iter_mut().zip(&t.sums) {
                s.add(c[i]);
            }
        }
        out.into_iter()
            .map(|(c, n, s)| (c, n, s.iter().map(|x| x.value()).collect()))
            .collect()
    }

    #[test]
    fn a_state_over_any_batches_equals_one_pass() {
        let mut rng = crate::rng::Rng::stream(11, 0);
        let n = 40_000;
        let names: Vec<String> = (0..30)
            .map(|i| {
                if i % 4 == 0 {
                    format!("a district with a long name {i:02}")
                } else {
                    format!("d{i:02}")
                }
            })
            .collect();
        let strs: Vec<&str> = (0..n)
            .map(|_| names[(rng.uniform() * 30.0) as usize].as_str())
            .collect();
        let b: Vec<u32> = (0..n).map(|_| (rng.uniform() * 3.0) as u32).collect();
        // Values of very different magnitudes, so the sums are not plain fixed point.
        let v: Vec<f64> = (0..n)
            .map(|_| (rng.uniform() - 0.3) * 10f64.powi((rng.uniform() * 30.0) as i32 - 15))
            .collect();
        let w: Vec<f64> = (0..n)
            .map(|_| (rng.uniform() * 4.0).floor() * 0.25)
            .collect();
        let (index, data) = views(&strs);
        let whole = |lo: usize, hi: usize| {
            let a = StringArray::new(Layout::View, hi - lo, lo, None, &index, vec![&data]);
            [
                KeyColumn::Strings(vec![a.unwrap()]),
                KeyColumn::Codes(&b[lo..hi]),
            ]
        };
        let want = keyed_sums(&whole(0, n), &[&v, &w], n, false)
            .unwrap()
            .unwrap();
        let want_p = keyed_sums(&whole(0, n), &[&v, &w], n, true)
            .unwrap()
            .unwrap();
        // Batches of random sizes, some empty, some of one row.
        let mut states = Vec::new();
        for split in 0..4 {
            let mut cuts = vec![0, n, n, 1, 2];
            cuts.extend((0..split * 5).map(|_| (rng.uniform() * n as f64) as usize));
            cuts.sort_unstable();
            let mut state = KeyedState::new(2, 2).unwrap();
            for c in cuts.windows(2) {
                let (lo, hi) = (c[0], c[1]);
                let keys = whole(lo, hi);
                assert!(state
                    .add(&keys, &[&v[lo..hi], &w[lo..hi]], hi - lo, split % 2 == 1)
                    .unwrap());
            }
            assert_eq!(state.rows(), n as u64);
            assert_eq!(state.finish(false).unwrap().unwrap(), want);
            let got_p = state.finish(true).unwrap().unwrap();
            assert_eq!(got_p.labels, want_p.labels);
            assert_eq!(collapsed(&got_p.table), collapsed(&want_p.table));
            states.push(state);
        }
        // States merge in any order: the halves of the rows in either order.
        let half = n / 2;
        let mut first = KeyedState::new(2, 2).unwrap();
        let mut second = KeyedState::new(2, 2).unwrap();
        assert!(first
            .add(&whole(0, half), &[&v[..half], &w[..half]], half, false)
            .unwrap());
        assert!(second
            .add(&whole(half, n), &[&v[half..], &w[half..]], n - half, true)
            .unwrap());
        let mut ab = first.clone();
        ab.merge(&second).unwrap();
        let mut ba = second.clone();
        ba.merge(&first).unwrap();
        assert_eq!(ab.finish(false).unwrap().unwrap(), want);
        assert_eq!(ba.finish(false).unwrap().unwrap(), want);
        // An empty state merges as nothing.
        ab.merge(&KeyedState::new(2, 2).unwrap()).unwrap();
        let got_p = ab.finish(true).unwrap().unwrap().table;
        assert_eq!(collapsed(&got_p), collapsed(&want_p.table));
        // Batches that disagree with the state are refused.
        let mut s = KeyedState::new(2, 2).unwrap();
        let one = [1.0];
        assert!(s.add(&whole(0, 1), &[&one], 1, false).is_err());
        assert!(s.add(&whole(0, 1)[..1], &[&one, &one], 1, false).is_err());
        let codes_first = [KeyColumn::Codes(&b[..1]), KeyColumn::Codes(&b[..1])];
        assert!(s.add(&codes_first, &[&one, &one], 1, false).unwrap());
        assert!(s.add(&whole(0, 1), &[&one, &one], 1, false).is_err());
        assert!(s.merge(&KeyedState::new(1, 2).unwrap()).is_err());
    }

    #[test]
    fn one_column_of_codes_dense_or_not() {
        let codes: Vec<u32> = (0..5_000u32).map(|i| (i * 7) % 13).collect();
        let v: Vec<f64> = (0..5_000).map(|i| f64::from(i % 5) * 0.5).collect();
        let got = keyed_sums(&[KeyColumn::Codes(&codes)], &[&v], 5_000, false)
            .unwrap()
            .unwrap();
        let kc = KeyCodes {
            codes: &[&codes],
            cardinalities: &[13],
        };
        assert_eq!(got.table, grouped_sums(kc, &[&v], 5_000).unwrap());
        // A code past the dense table's bound takes the general loop: same groups.
        let big = [3u32, DENSE_CODES as u32 + 5, 3, u32::MAX];
        let t = keyed_sums(&[KeyColumn::Codes(&big)], &[], 4, false)
            .unwrap()
            .unwrap();
        assert_eq!(t.table.count, vec![2, 1, 1]);
        assert_eq!(
            t.labels[0],
            Labels::Codes(vec![3, DENSE_CODES as u32 + 5, u32::MAX])
        );
    }

    #[test]
    fn no_keys_no_rows_and_bad_buffers() {
        let v = [1.0, 2.0];
        let t = keyed_sums(&[], &[&v], 2, false).unwrap().unwrap();
        assert_eq!((t.table.cell, t.table.count), (vec![0], vec![2]));
        let t = keyed_sums(&[KeyColumn::Codes(&[])], &[&[]], 0, false)
            .unwrap()
            .unwrap();
        assert!(t.table.cell.is_empty());
        // A long view pointing past its buffer: not read.
        let (index, data) = views(&["a string longer than twelve"]);
        let arr = StringArray::new(Layout::View, 1, 0, None, &index, vec![&data[..5]]).unwrap();
        assert_eq!(
            keyed_sums(&[KeyColumn::Strings(vec![arr])], &[], 1, false).unwrap(),
            None
        );
        assert!(StringArray::new(Layout::View, 2, 0, None, &index, vec![&data]).is_err());
        let e = keyed_sums(&[KeyColumn::Codes(&[1, 2, 3])], &[], 2, false);
        assert!(matches!(e, Err(Error::Input { .. })));
    }
}
