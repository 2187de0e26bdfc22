//! Pictures in and out: PNG files written with the `png` crate, and a folder of the student's
//! own PNG or JPEG images read with the `image` crate (cropped and resized by vae-core, as the
//! page does in the browser).
use std::path::{Path, PathBuf};
use vae_core::data::import::{centre_crop_resize, check_size, from_rgba, SIDE};
use vae_core::data::Dataset;

/// RGBA pixels as a PNG, each pixel drawn `zoom` × `zoom` (small digits stay visible).
pub fn png(width: usize, height: usize, rgba: &[u8], zoom: usize) -> Vec<u8> {
    let zoom = zoom.max(1);
    let (w, h) = (width * zoom, height * zoom);
    let mut big = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let i = ((y / zoom) * width + x / zoom) * 4;
            big.extend_from_slice(&rgba[i..i + 4]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w as u32, h as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .expect("a PNG header writes to memory");
    writer
        .write_image_data(&big)
        .expect("PNG data writes to memory");
    writer.finish().expect("a PNG ends in memory");
    out
}

/// Every PNG and JPEG under `dir` (one level of class folders, or files named `label_…`),
/// in path order, relative to `dir`.
fn image_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let read = |d: &Path| std::fs::read_dir(d).map_err(|e| format!("{}: {e}", d.display()));
    for entry in read(dir)? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            for inner in read(&path)? {
                files.push(inner.map_err(|e| e.to_string())?.path());
            }
        } else {
            files.push(path);
        }
    }
    let is_image = |p: &PathBuf| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
    };
    files.retain(is_image);
    files.sort();
    Ok(files)
}

/// A folder of images as a dataset, grayscale or colour, 28 × 28.
pub fn dataset_from_folder(dir: &Path, colour: bool) -> Result<Dataset, String> {
    let files = image_files(dir)?;
    let mut rgba = Vec::with_capacity(files.len() * SIDE * SIDE * 4);
    let mut names = Vec::with_capacity(files.len());
    for file in &files {
        let name = file
            .strip_prefix(dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let reader = image::ImageReader::open(file)
            .and_then(|r| r.with_guessed_format())
            .map_err(|e| format!("{name}: {e}"))?;
        let (width, height) = reader
            .into_dimensions()
            .map_err(|_| format!("{name} is not a PNG or JPEG image"))?;
        check_size(&name, width as usize, height as usize).map_err(|e| e.to_string())?;
        let picture = image::open(file)
            .map_err(|e| format!("{name}: {e}"))?
            .to_rgba8();
        rgba.extend(centre_crop_resize(
            picture.as_raw(),
            width as usize,
            height as usize,
            SIDE,
        ));
        names.push(name);
    }
    from_rgba("custom", &rgba, SIDE, &names, colour).map_err(|e| format!("{}: {e}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trips_through_the_image_crate() {
        let rgba = [10, 20, 30, 255, 200, 100, 0, 255];
        let file = png(2, 1, &rgba, 2);
        let back = image::load_from_memory(&file).unwrap().to_rgba8();
        assert_eq!(back.dimensions(), (4, 2));
        assert_eq!(&back.as_raw()[..8], &[10, 20, 30, 255, 10, 20, 30, 255]);
    }

    #[test]
    fn a_folder_of_pngs_becomes_a_labelled_dataset_with_the_expected_pixels() {
        let dir = std::env::temp_dir().join(format!("vae-cli-images-{}", std::process::id()));
        for (folder, value) in [("dark", 40u8), ("light", 220u8)] {
            std::fs::create_dir_all(dir.join(folder)).unwrap();
            // A 56 × 28 picture: its centre square is uniform `value`, the sides white.
            let mut rgba = vec![255u8; 56 * 28 * 4];
            for y in 0..28 {
                for x in 14..42 {
                    rgba[(y * 56 + x) * 4..(y * 56 + x) * 4 + 3].copy_from_slice(&[value; 3]);
                }
            }
            std::fs::write(dir.join(folder).join("a.png"), png(56, 28, &rgba, 1)).unwrap();
        }
        std::fs::write(dir.join("notes.txt"), "not an image").unwrap();
        let data = dataset_from_folder(&dir, false).unwrap();
        assert_eq!(
            (data.len(), data.labels(), data.num_classes),
            (2, &[0, 1][..], 2)
        );
        assert!(
            data.image(0)
                .iter()
                .all(|&v| (v - 40.0 / 255.0).abs() < 1e-3),
            "the centre crop only"
        );
        assert!(data
            .image(1)
            .iter()
            .all(|&v| (v - 220.0 / 255.0).abs() < 1e-3));
        std::fs::write(
            dir.join("light").join("broken.png"),
            "this is text renamed to .png",
        )
        .unwrap();
        assert!(dataset_from_folder(&dir, false)
            .unwrap_err()
            .contains("broken.png"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
