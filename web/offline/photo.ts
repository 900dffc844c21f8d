/**
 * Photos are made smaller on the phone before they are queued (issue 15): a 12 MB camera photo is sent whole over
 * a mobile network and refused by the server at 10 MB, while the server keeps at most 1600 px anyway. The longest
 * side becomes at most {@link PHOTO_MAX_SIDE} px, re-encoded as JPEG at {@link PHOTO_QUALITY}, oriented as shot
 * (EXIF orientation applied; the re-encoding drops EXIF, the position included). Browser only (createImageBitmap
 * and a canvas); where they are missing or the picture cannot be decoded, the original goes as it is and the
 * server decides.
 */

/** Longest side (px) of a photo as queued. */
export const PHOTO_MAX_SIDE = 2048
/** JPEG quality of a re-encoded photo (0..1). */
export const PHOTO_QUALITY = 0.8
/** A JPEG already within {@link PHOTO_MAX_SIDE} and at most this size (bytes) is queued as it is. */
export const PHOTO_KEEP_BYTES = 1.5 * 1024 * 1024

/** The size a `width` × `height` picture is drawn at so that its longest side is at most `maxSide` (never enlarged). */
export function fitWithin(width: number, height: number, maxSide = PHOTO_MAX_SIDE): { width: number; height: number } {
  const longest = Math.max(width, height)
  if (longest <= maxSide || longest <= 0) return { width, height }
  const scale = maxSide / longest
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** What {@link downscalePhoto} did. */
export interface DownscaledPhoto {
  blob: Blob
  /** The name to upload under (`.jpg` when re-encoded). */
  filename: string
  width: number | null
  height: number | null
  /** Whether the picture was re-encoded (false: the original is queued). */
  changed: boolean
}

async function encode(bitmap: ImageBitmap, width: number, height: number, quality: number): Promise<Blob | null> {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height)
    const ctx = canvas.getContext('2d')
    if (!ctx) return null
    ctx.drawImage(bitmap, 0, 0, width, height)
    return canvas.convertToBlob({ type: 'image/jpeg', quality })
  }
  if (typeof document === 'undefined') return null
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.drawImage(bitmap, 0, 0, width, height)
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', quality))
}

/**
 * The photo to queue: `file` downscaled to {@link PHOTO_MAX_SIDE} px on its longest side and re-encoded as JPEG
 * ({@link PHOTO_QUALITY}); a small JPEG, or anything the browser cannot decode, as it is.
 */
export async function downscalePhoto(file: Blob, filename = 'photo.jpg', maxSide = PHOTO_MAX_SIDE, quality = PHOTO_QUALITY): Promise<DownscaledPhoto> {
  const original: DownscaledPhoto = { blob: file, filename, width: null, height: null, changed: false }
  if (typeof createImageBitmap !== 'function') return original
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  } catch {
    return original
  }
  try {
    const size = fitWithin(bitmap.width, bitmap.height, maxSide)
    const fits = size.width === bitmap.width && size.height === bitmap.height
    if (fits && file.type === 'image/jpeg' && file.size <= PHOTO_KEEP_BYTES) return { ...original, width: bitmap.width, height: bitmap.height }
    const blob = await encode(bitmap, size.width, size.height, quality)
    if (!blob || (fits && blob.size >= file.size)) return { ...original, width: bitmap.width, height: bitmap.height }
    const base = filename.replace(/\.[^.]*$/, '') || 'photo'
    return { blob, filename: `${base}.jpg`, width: size.width, height: size.height, changed: true }
  } catch {
    return original
  } finally {
    bitmap.close()
  }
}
