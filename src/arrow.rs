//! String columns read in place through the Arrow C stream interface
//! (`__arrow_c_stream__`, which polars Series and pyarrow arrays expose), turned into
//! dense integer codes without building a Python string per row.
//!
//! Only the three Arrow string layouts are read (`utf8_view`, `utf8`, `large_utf8`);
//! anything else, or a stream that reports an error or does not hold together, gives
//! `None` and the caller codes the column another way.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ops::Range;

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use rayon::prelude::*;

// The structs of the Arrow C data and stream interfaces, as the specification lays
// them out.

#[repr(C)]
struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

/// A schema filled in by a stream; released on drop.
struct Schema(ArrowSchema);

impl Drop for Schema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: a schema with a release callback is released once, by its owner.
            unsafe { release(&mut self.0) }
        }
    }
}

/// An array taken from a stream; released on drop.
struct Array(ArrowArray);

impl Drop for Array {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: an array with a release callback is released once, by its owner.
            unsafe { release(&mut self.0) }
        }
    }
}

/// A stream taken over from a capsule; released on drop.
struct Stream(ArrowArrayStream);

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the stream was moved out of its capsule, so it is released once, here.
            unsafe { release(&mut self.0) }
        }
    }
}

impl Stream {
    /// Move the stream out of an `arrow_array_stream` capsule, leaving the capsule's
    /// copy marked released, as the PyCapsule protocol asks of a consumer.
    fn take(capsule: &Bound<'_, PyCapsule>) -> PyResult<Stream> {
        let ptr = capsule
            .pointer_checked(Some(c"arrow_array_stream"))?
            .cast::<ArrowArrayStream>()
            .as_ptr();
        // SAFETY: a capsule of that name holds a valid ArrowArrayStream; reading it out
        // and clearing the original's release callback transfers ownership.
        unsafe {
            let stream = std::ptr::read(ptr);
            (*ptr).release = None;
            Ok(Stream(stream))
        }
    }

    /// The format string of the stream's schema.
    fn format(&mut self) -> Option<String> {
        let get = self.0.get_schema?;
        let mut schema = Schema(ArrowSchema {
            format: std::ptr::null(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: 0,
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        });
        // SAFETY: the callbacks of a live stream take the stream and an out-struct.
        if unsafe { get(&mut self.0, &mut schema.0) } != 0 || schema.0.format.is_null() {
            return None;
        }
        // SAFETY: a filled-in schema's format is a NUL-terminated string.
        let format = unsafe { CStr::from_ptr(schema.0.format) };
        Some(format.to_string_lossy().into_owned())
    }

    /// The next array; `None` at the end, `Some(None)` on an error.
    fn next_array(&mut self) -> Option<Option<Array>> {
        let get = self.0.get_next?;
        let mut array = Array(ArrowArray {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: std::ptr::null_mut(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        });
        // SAFETY: as in `format`.
        if unsafe { get(&mut self.0, &mut array.0) } != 0 {
            return Some(None);
        }
        array.0.release?;
        Some(Some(array))
    }
}

/// The string layouts read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `vu`: 16-byte views, short strings inline, long ones in data buffers.
    View,
    /// `u`: i32 offsets into one data buffer.
    Offsets32,
    /// `U`: i64 offsets into one data buffer.
    Offsets64,
}

/// Row `i` of an array is not what its layout promises.
#[derive(Debug)]
struct Malformed;

/// One array of strings, borrowed from its buffers.
struct Strings<'a> {
    layout: Layout,
    /// Rows of the array.
    len: usize,
    /// Offset of row 0 into the buffers.
    offset: usize,
    /// Validity bitmap (`None`: no nulls).
    validity: Option<&'a [u8]>,
    /// Views (`View`) or offsets (`Offsets32`/`Offsets64`, as bytes).
    index: &'a [u8],
    /// Data buffers.
    data: Vec<&'a [u8]>,
}

impl<'a> Strings<'a> {
    /// The buffers of `array` as slices.
    ///
    /// # Safety
    /// `array` must be a live array of the `layout` format; the slices borrow its
    /// buffers, so they must not outlive it.
    unsafe fn new(array: &'a Array, layout: Layout) -> Result<Strings<'a>, Malformed> {
        let a = &array.0;
        let (len, offset) = (
            usize::try_from(a.length).map_err(|_| Malformed)?,
            usize::try_from(a.offset).map_err(|_| Malformed)?,
        );
        let n_buffers = usize::try_from(a.n_buffers).map_err(|_| Malformed)?;
        // Validity, views or offsets, then the data buffers (and, for views, their sizes).
        if a.buffers.is_null() || n_buffers < 3 {
            return Err(Malformed);
        }
        let buffers = std::slice::from_raw_parts(a.buffers, n_buffers);
        let end = offset + len;
        let validity = match (a.null_count, buffers[0].is_null()) {
            (0, _) | (_, true) => None,
            _ => Some(std::slice::from_raw_parts(
                buffers[0] as *const u8,
                end.div_ceil(8),
            )),
        };
        let bytes = |p: *const c_void, n: usize| -> Result<&'a [u8], Malformed> {
            match (p.is_null(), n) {
                (_, 0) => Ok(&[]),
                (true, _) => Err(Malformed),
                (false, n) => Ok(std::slice::from_raw_parts(p as *const u8, n)),
            }
        };
        let (index, data) = match layout {
            Layout::View => {
                // Buffers: validity, views, data buffers..., then their sizes (i64).
                let n_data = n_buffers.checked_sub(3).ok_or(Malformed)?;
                let sizes = bytes(buffers[n_buffers - 1], 8 * n_data)?;
                let mut data = Vec::with_capacity(n_data);
                for (j, size) in sizes.chunks_exact(8).enumerate() {
                    let size = i64::from_ne_bytes(size.try_into().map_err(|_| Malformed)?);
                    data.push(bytes(
                        buffers[2 + j],
                        usize::try_from(size).map_err(|_| Malformed)?,
                    )?);
                }
                (bytes(buffers[1], 16 * end)?, data)
            }
            Layout::Offsets32 | Layout::Offsets64 => {
                let width = if layout == Layout::Offsets32 { 4 } else { 8 };
                let index = bytes(buffers[1], width * (end + 1))?;
                let last = read_offset(index, width, end)?;
                (index, vec![bytes(buffers[2], last)?])
            }
        };
        Ok(Strings {
            layout,
            len,
            offset,
            validity,
            index,
            data,
        })
    }

    /// Row `i` (`None` for a null).
    fn value(&self, i: usize) -> Result<Option<Value<'a>>, Malformed> {
        let j = self.offset + i;
        if let Some(bits) = self.validity {
            if bits[j / 8] & (1 << (j % 8)) == 0 {
                return Ok(None);
            }
        }
        let v = match self.layout {
            Layout::View => {
                let view = &self.index[16 * j..16 * j + 16];
                let packed = u128::from_le_bytes(view.try_into().map_err(|_| Malformed)?);
                let len = packed as u32 as usize;
                if len <= 12 {
                    Value::short(packed, len)
                } else {
                    let (buffer, start) = ((packed >> 64) as u32 as usize, (packed >> 96) as usize);
                    let data = self.data.get(buffer).ok_or(Malformed)?;
                    Value::Long(data.get(start..start + len).ok_or(Malformed)?)
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
                Value::of(self.data[0].get(start..end).ok_or(Malformed)?)
            }
        };
        Ok(Some(v))
    }
}

/// A string value: one of up to 12 bytes exactly as a `utf8_view` view holds it inline
/// (length in the low 4 bytes, then the bytes, zeros after them), a longer one by its
/// bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Value<'a> {
    Short(u128),
    Long(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The short value of an inline view of `len` bytes (whatever follows them).
    fn short(view: u128, len: usize) -> Value<'a> {
        let bits = 32 + 8 * len;
        Value::Short(if bits == 128 {
            view
        } else {
            view & ((1 << bits) - 1)
        })
    }

    fn of(bytes: &'a [u8]) -> Value<'a> {
        if bytes.len() <= 12 {
            let mut view = [0u8; 16];
            view[..4].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
            view[4..4 + bytes.len()].copy_from_slice(bytes);
            Value::Short(u128::from_le_bytes(view))
        } else {
            Value::Long(bytes)
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match *self {
            Value::Short(v) => v.to_le_bytes()[4..4 + v as u32 as usize].to_vec(),
            Value::Long(b) => b.to_vec(),
        }
    }

    fn hash(&self) -> u64 {
        const K: u64 = 0x9E37_79B9_7F4A_7C15;
        let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(27);
        // A final avalanche (murmur3's), so the slot bits depend on every byte: without
        // it, labels differing only in their 9th to 12th bytes ("district_001",
        // "district_002", ...) shared one slot.
        let finish = |mut h: u64| {
            h ^= h >> 33;
            h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
            h ^= h >> 33;
            h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
            h ^ (h >> 33)
        };
        finish(match *self {
            Value::Short(v) => mix(mix(0, v as u64), (v >> 64) as u64),
            Value::Long(b) => {
                let mut chunks = b.chunks_exact(8);
                let mut h = mix(0, b.len() as u64);
                for c in &mut chunks {
                    h = mix(h, u64::from_le_bytes(c.try_into().unwrap_or_default()));
                }
                let mut tail = [0u8; 8];
                tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
                mix(h, u64::from_le_bytes(tail))
            }
        })
    }
}

/// Numbers values in order of first appearance: an open-addressing table over their
/// hashes, each hit checked against the value itself.
#[derive(Default)]
struct Numbering<'a> {
    /// Number + 1 of the value in each slot (0: empty); a power-of-two length.
    slots: Vec<u32>,
    hashes: Vec<u64>,
    values: Vec<Value<'a>>,
}

impl<'a> Numbering<'a> {
    fn number(&mut self, v: Value<'a>) -> u32 {
        if 2 * (self.values.len() + 1) > self.slots.len() {
            self.grow();
        }
        let h = v.hash();
        let mask = self.slots.len() - 1;
        let mut i = (h >> 32) as usize & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.values.push(v);
                    self.hashes.push(h);
                    self.slots[i] = self.values.len() as u32;
                    return self.values.len() as u32 - 1;
                }
                id => {
                    let k = id as usize - 1;
                    if self.hashes[k] == h && self.values[k] == v {
                        return k as u32;
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let len = (2 * self.slots.len()).max(16);
        self.slots = vec![0; len];
        for (k, &h) in self.hashes.iter().enumerate() {
            let mut i = (h >> 32) as usize & (len - 1);
            while self.slots[i] != 0 {
                i = (i + 1) & (len - 1);
            }
            self.slots[i] = k as u32 + 1;
        }
    }
}

/// Offset `j` of an i32 (`width` 4) or i64 (8) offsets buffer.
fn read_offset(index: &[u8], width: usize, j: usize) -> Result<usize, Malformed> {
    let b = index.get(width * j..width * (j + 1)).ok_or(Malformed)?;
    let v = match width {
        4 => i32::from_le_bytes(b.try_into().map_err(|_| Malformed)?) as i64,
        _ => i64::from_le_bytes(b.try_into().map_err(|_| Malformed)?),
    };
    usize::try_from(v).map_err(|_| Malformed)
}

/// Code of a null before the final numbering.
const NULL: u32 = u32::MAX;

/// Rows coded together.
const TASK: usize = 1 << 16;

/// Rows `rows` of `s` numbered in order of first appearance into `out`, and the
/// distinct values.
fn first_appearance<'a>(
    s: &Strings<'a>,
    rows: Range<usize>,
    out: &mut [u32],
) -> Result<Vec<Value<'a>>, Malformed> {
    let mut numbering = Numbering::default();
    // Most group columns hold a handful of values: while the rows have shown at most
    // `FEW`, a row is compared with them (value k has number k) before any hashing.
    const FEW: usize = 4;
    let mut few: Vec<Value<'a>> = Vec::with_capacity(FEW);
    for (o, i) in out.iter_mut().zip(rows) {
        *o = match s.value(i)? {
            None => NULL,
            Some(v) => match few.iter().position(|&f| f == v) {
                Some(k) => k as u32,
                None => {
                    let k = numbering.number(v);
                    if numbering.values.len() > FEW {
                        few.clear();
                        few.shrink_to(0);
                    } else if k as usize == few.len() {
                        few.push(v);
                    }
                    k
                }
            },
        };
    }
    Ok(numbering.values)
}

/// Codes of all rows numbered in sorted byte order of the values, nulls last, and the
/// distinct values in that order (with a final `None` when there are nulls).
fn sorted_codes(arrays: &[Strings<'_>]) -> Result<(Vec<u32>, Vec<Option<String>>), Malformed> {
    // Each task numbers its rows in its own slice of the output, then renumbers them
    // there once all values are known.
    let mut codes = vec![0u32; arrays.iter().map(|s| s.len).sum::<usize>()];
    let mut tasks: Vec<(&Strings<'_>, Range<usize>, &mut [u32])> = Vec::new();
    let mut rest = codes.as_mut_slice();
    for s in arrays {
        for t in 0..s.len.div_ceil(TASK) {
            let rows = t * TASK..((t + 1) * TASK).min(s.len);
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(rows.len());
            tasks.push((s, rows, head));
            rest = tail;
        }
    }
    let parts: Vec<Vec<Value<'_>>> = tasks
        .par_iter_mut()
        .map(|(s, rows, out)| first_appearance(s, rows.clone(), out))
        .collect::<Result<_, _>>()?;
    // One numbering over all parts, then ranks in sorted order.
    let mut numbering = Numbering::default();
    let local: Vec<Vec<u32>> = parts
        .iter()
        .map(|values| values.iter().map(|&v| numbering.number(v)).collect())
        .collect();
    let distinct: Vec<Vec<u8>> = numbering.values.iter().map(Value::bytes).collect();
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
        .map(|((_, _, out), local)| {
            let mut null = false;
            for o in out.iter_mut() {
                *o = if *o == NULL {
                    null = true;
                    null_code
                } else {
                    rank[local[*o as usize] as usize]
                };
            }
            null
        })
        .reduce(|| false, |a, b| a || b);
    let mut values = order
        .iter()
        .map(|&id| {
            std::str::from_utf8(&distinct[id as usize])
                .map(|s| Some(s.to_owned()))
                .map_err(|_| Malformed)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if any_null {
        values.push(None);
    }
    Ok((codes, values))
}

/// Dense codes of a string column, numbered in sorted order of the values with null
/// last, and the distinct values in that order; `None` when the column does not
/// export one of the Arrow string layouts through `__arrow_c_stream__`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn string_codes<'py>(
    py: Python<'py>,
    column: &Bound<'py, PyAny>,
) -> PyResult<Option<(Bound<'py, PyArray1<u32>>, Vec<Option<String>>)>> {
    let Ok(capsule) = column.call_method0("__arrow_c_stream__") else {
        return Ok(None);
    };
    let Ok(capsule) = capsule.cast_into::<PyCapsule>() else {
        return Ok(None);
    };
    let mut stream = Stream::take(&capsule)?;
    let layout = match stream.format().as_deref() {
        Some("vu") => Layout::View,
        Some("u") => Layout::Offsets32,
        Some("U") => Layout::Offsets64,
        _ => return Ok(None),
    };
    let mut arrays = Vec::new();
    while let Some(next) = stream.next_array() {
        match next {
            Some(a) => arrays.push(a),
            None => return Ok(None),
        }
    }
    // SAFETY: the arrays are of the stream's format and outlive the slices.
    let strings: Result<Vec<Strings<'_>>, Malformed> = arrays
        .iter()
        .map(|a| unsafe { Strings::new(a, layout) })
        .collect();
    let Ok(strings) = strings else {
        return Ok(None);
    };
    match py.detach(|| sorted_codes(&strings)) {
        Ok((codes, values)) => Ok(Some((codes.into_pyarray(py), values))),
        Err(Malformed) => Ok(None),
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(string_codes, m)?)?;
    Ok(())
}
