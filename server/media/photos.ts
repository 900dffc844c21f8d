/**
 * Hazard photos: recognise the format by its magic bytes (never by the declared type or the file
 * name), decode, orient, resize and re-encode with sharp. Re-encoding drops every metadata block
 * (EXIF with the phone's GPS position, XMP, IPTC, comments), so no location or device data leaks.
 */
import sharp, { type Sharp } from 'sharp'
import { Problem } from '../problem.ts'

/** Largest photo accepted, in bytes (10 MB). */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024

/** Longest side of a stored photo, in pixels. */
export const PHOTO_MAX_SIDE = 1600

/** Longest side of a thumbnail, in pixels. */
export const THUMB_MAX_SIDE = 320

/** Largest decoded image accepted, in pixels (guards against decompression bombs). */
export const PHOTO_MAX_PIXELS = 100_000_000

/** The image formats accepted. */
export type PhotoFormat = 'jpeg' | 'png' | 'webp'

const MIME: Record<PhotoFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' }

/** The format of an image from its first bytes: JPEG `FF D8 FF`, PNG `89 50 4E 47 0D 0A 1A 0A`, WebP `RIFF….WEBP`; undefined otherwise. */
export function sniffImage(bytes: Uint8Array): PhotoFormat | undefined {
  const at = (i: number): number => bytes[i] ?? -1
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'jpeg'
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (png.every((b, i) => at(i) === b)) return 'png'
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to))
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp'
  return undefined
}

/** A photo ready to store. */
export interface CleanPhoto {
  format: PhotoFormat
  mime: string
  width: number
  height: number
  bytes: Buffer
}

function encode(image: Sharp, format: PhotoFormat): Sharp {
  switch (format) {
    case 'jpeg':
      return image.jpeg({ quality: 82 })
    case 'png':
      return image.png({ compressionLevel: 6 })
    case 'webp':
      return image.webp({ quality: 80 })
  }
}

/**
 * Check and clean an uploaded photo: 413 above {@link PHOTO_MAX_BYTES}, 415 when it is not JPEG,
 * PNG or WebP by its magic bytes, 422 when it does not decode. The result keeps the format, is
 * turned upright (EXIF orientation applied), fits in {@link PHOTO_MAX_SIDE} px and has no metadata.
 */
export async function cleanPhoto(input: Uint8Array): Promise<CleanPhoto> {
  if (input.length > PHOTO_MAX_BYTES) throw new Problem(413, `The photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB.`)
  const format = sniffImage(input)
  if (!format) throw new Problem(415, 'The photo must be a JPEG, PNG or WebP image (recognised by its content, not its name).')
  try {
    const image = sharp(input, { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error' })
      .autoOrient()
      .resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    const { data, info } = await encode(image, format).toBuffer({ resolveWithObject: true })
    return { format, mime: MIME[format], width: info.width, height: info.height, bytes: data }
  } catch (error) {
    if (error instanceof Problem) throw error
    throw new Problem(422, 'The photo cannot be read as an image (damaged, or too many pixels).')
  }
}

/** A stored photo resized for display: `thumb` fits in {@link THUMB_MAX_SIDE} px; `full` is the stored image. */
export async function photoVariant(stored: { mime: string; bytes: Buffer }, size: 'thumb' | 'full'): Promise<Buffer> {
  if (size === 'full') return stored.bytes
  const format = sniffImage(stored.bytes) ?? 'jpeg'
  const image = sharp(stored.bytes).resize({ width: THUMB_MAX_SIDE, height: THUMB_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
  return encode(image, format).toBuffer()
}
