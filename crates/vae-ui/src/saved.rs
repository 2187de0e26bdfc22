//! The model kept in the browser's storage between visits: the worker's latest weights, the
//! settings that made them, their step count and loss curves. www/saved-model.js does the
//! IndexedDB work; this side turns records into Rust values and back.
use js_sys::{ArrayBuffer, Float64Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub struct Saved {
    pub weights: ArrayBuffer,
    /// The settings as the URL writes them.
    pub query: String,
    pub steps: usize,
    /// Date.now() when it was kept.
    pub saved_at: f64,
    /// Loss curves, flat (step, reconstruction, KL) triples.
    pub train: Vec<f64>,
    pub test: Vec<f64>,
}

fn call(method: &str, args: &[JsValue]) -> Result<Promise, String> {
    let api = Reflect::get(&js_sys::global(), &"vaeSaved".into()).map_err(|_| "no storage helper".to_string())?;
    let f: js_sys::Function = Reflect::get(&api, &method.into()).ok().and_then(|f| f.dyn_into().ok()).ok_or("no storage helper")?;
    let result = match args {
        [] => f.call0(&api),
        [a] => f.call1(&api, a),
        _ => unreachable!("at most one argument"),
    };
    result.ok().and_then(|p| p.dyn_into().ok()).ok_or_else(|| "the storage helper failed".to_string())
}

/// Starts reading the saved model (a promise that may be awaited more than once).
pub fn start_loading() -> Promise {
    call("get", &[]).unwrap_or_else(|_| Promise::resolve(&JsValue::UNDEFINED))
}

/// The saved model from `start_loading`'s promise, if there is one and it reads.
pub async fn loaded(promise: Promise) -> Option<Saved> {
    let record = JsFuture::from(promise).await.ok().filter(|r| r.is_object())?;
    let get = |key: &str| Reflect::get(&record, &key.into()).ok();
    let floats = |key: &str| get(key).and_then(|v| v.dyn_into::<Float64Array>().ok()).map(|a| a.to_vec()).unwrap_or_default();
    Some(Saved {
        weights: get("weights")?.dyn_into().ok()?,
        query: get("query")?.as_string()?,
        steps: get("steps")?.as_f64()? as usize,
        saved_at: get("savedAt")?.as_f64()?,
        train: floats("train"),
        test: floats("test"),
    })
}

/// Keeps `saved`, replacing what was kept; Err says why storage refused.
pub async fn put(saved: &Saved) -> Result<(), String> {
    let record = Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = Reflect::set(&record, &key.into(), value);
    };
    set("weights", &saved.weights);
    set("query", &saved.query.clone().into());
    set("steps", &(saved.steps as f64).into());
    set("savedAt", &saved.saved_at.into());
    set("train", &Float64Array::from(saved.train.as_slice()));
    set("test", &Float64Array::from(saved.test.as_slice()));
    let promise = call("put", &[record.into()])?;
    JsFuture::from(promise).await.map(|_| ()).map_err(|e| {
        Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
    })
}

/// Forgets the saved model.
pub async fn clear() {
    if let Ok(promise) = call("clear", &[]) {
        let _ = JsFuture::from(promise).await;
    }
}
