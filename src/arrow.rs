//! String columns read in place through the Arrow C stream interface
//! (`__arrow_c_stream__`, which polars Series and pyarrow arrays expose): this file only
//! turns the exported buffers into slices ([`hrh_core::keys::StringArray`]); the core
//! codes and groups them.
//!
//! Only the three Arrow string layouts are read (`utf8_view`, `utf8`, `large_utf8`);
//! anything else, or a stream that reports an error or does not hold together, gives
//! `None` and the caller codes the column another way.
//!
//! The C structures are written out here rather than taken from arrow-rs: reading three
//! string layouts needs these few definitions, where arrow-rs's `ffi` module would add
//! several crates to every build of the extension. Each `unsafe` block below says why
//! it is sound; they are the only ones in the binding.

use std::ffi::{c_char, c_int, c_void, CStr};

use hrh_core::keys::{Layout, Malformed, StringArray};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

// The structs of the Arrow C data and stream interfaces, as the specification lays
// them out (the `unsafe extern "C"` callbacks are the producer's, called only through
// the blocks below).

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

/// A string column exported through `__arrow_c_stream__`: its arrays, kept alive
/// (released on drop) while slices of their buffers are read.
pub(crate) struct Column {
    layout: Layout,
    arrays: Vec<Array>,
}

impl Column {
    /// The column of `column`, or `None` when it does not export an Arrow stream of one
    /// of the string layouts.
    pub(crate) fn read(column: &Bound<'_, PyAny>) -> PyResult<Option<Column>> {
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
        Ok(Some(Column { layout, arrays }))
    }

    /// The arrays as slices of their buffers (`None` if one does not hold together).
    pub(crate) fn arrays(&self) -> Option<Vec<StringArray<'_>>> {
        self.arrays
            .iter()
            .map(|a| slices(a, self.layout))
            .collect::<Result<_, _>>()
            .ok()
    }
}

/// The buffers of `array`, an array of the stream's `layout`, as slices borrowing it.
fn slices(array: &Array, layout: Layout) -> Result<StringArray<'_>, Malformed> {
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
    let end = offset.checked_add(len).ok_or(Malformed)?;
    // SAFETY: a live array (released only when `array` drops, which the returned
    // slices cannot outlive) has `n_buffers` buffer pointers.
    let buffers = unsafe { std::slice::from_raw_parts(a.buffers, n_buffers) };
    let bytes = |p: *const c_void, n: usize| -> Result<&[u8], Malformed> {
        match (p.is_null(), n) {
            (_, 0) => Ok(&[]),
            (true, _) => Err(Malformed),
            // SAFETY: the Arrow format gives each buffer of a `layout` array at least
            // `n` bytes (computed below from the array's length and offset, and for
            // data buffers from the sizes or the last offset the producer wrote); the
            // buffers live as long as `array`.
            (false, n) => Ok(unsafe { std::slice::from_raw_parts(p as *const u8, n) }),
        }
    };
    let validity = match (a.null_count, buffers[0].is_null()) {
        (0, _) | (_, true) => None,
        _ => Some(bytes(buffers[0], end.div_ceil(8))?),
    };
    let (index, data) = match layout {
        Layout::View => {
            // Buffers: validity, views, data buffers..., then their sizes (i64).
            let n_data = n_buffers - 3;
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
            let last = index
                .get(width * end..width * (end + 1))
                .ok_or(Malformed)
                .and_then(|b| {
                    let v = if width == 4 {
                        i32::from_le_bytes(b.try_into().map_err(|_| Malformed)?) as i64
                    } else {
                        i64::from_le_bytes(b.try_into().map_err(|_| Malformed)?)
                    };
                    usize::try_from(v).map_err(|_| Malformed)
                })?;
            (index, vec![bytes(buffers[2], last)?])
        }
    };
    StringArray::new(layout, len, offset, validity, index, data)
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
    let Some(column) = Column::read(column)? else {
        return Ok(None);
    };
    let Some(arrays) = column.arrays() else {
        return Ok(None);
    };
    Ok(py
        .detach(|| hrh_core::keys::string_codes(&arrays))
        .map(|(codes, values)| (codes.into_pyarray(py), values)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(string_codes, m)?)?;
    Ok(())
}
