//! Memory touched ahead of a load.

/// A block of `len` bytes, every one written, or `None` if memory runs out. The first write to fresh wasm memory costs
/// about as much as the writing itself, so both sides of a load touch blocks while they would otherwise wait, and free
/// them for the load to reuse (`SPARE` in the worker, `prefault` on the page).
pub fn touched_block(len: usize) -> Option<Vec<u8>> {
    let mut block = Vec::new();
    block.try_reserve_exact(len).ok()?;
    // Written (any value) so that every page of it is committed now.
    block.resize(len, 1u8);
    Some(block)
}
