//! The training worker's glue: `Session` wired to postMessage, and the helper workers it starts
//! for data-parallel training (each a worker of this same wasm, role=helper).
use js_sys::{Array, ArrayBuffer, Float32Array, Object, Reflect, Uint8Array};
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;
use vae_protocol::{Command, Event};
use vae_worker::session::{Outgoing, Session};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent};

/// What a helper posts once its wasm has started.
pub const HELPER_READY: &str = "ready";

struct Worker {
    scope: DedicatedWorkerGlobalScope,
    session: RefCell<Session>,
    /// Posting to this port schedules the next training slice without setTimeout's 4 ms clamp.
    tick: MessageChannel,
    scheduled: RefCell<bool>,
    /// Helper i computes share i + 1 of each step; a failed helper stays in its place, stopped.
    helpers: RefCell<Vec<web_sys::Worker>>,
    /// The buffer each helper's last answer came in: the next message that fits goes out in it.
    spare: RefCell<Vec<Option<ArrayBuffer>>>,
    /// Helpers a message could not be posted to.
    unposted: RefCell<Vec<usize>>,
}

pub fn location_search() -> String {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .map(|scope| scope.location().search())
        .unwrap_or_default()
}

fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// `{ json, buffer }`, the buffer copied once out of wasm memory; returns the message and what
/// to transfer.
pub fn message(json: &str, buffer: Option<&[u8]>) -> (Object, Array) {
    let message = Object::new();
    let _ = Reflect::set(&message, &"json".into(), &json.into());
    let transfer = Array::new();
    if let Some(bytes) = buffer {
        let array = Uint8Array::from(bytes);
        let _ = Reflect::set(&message, &"buffer".into(), &array.buffer());
        transfer.push(&array.buffer());
    }
    (message, transfer)
}

/// A message between the training worker and a helper: `{ json, buffer, length }`, the first
/// `length` f32 of `buffer` being `parts` one after the other. They are copied into `reuse` (the
/// buffer of an earlier message from that worker) when it fits: a fresh 2.6 MB ArrayBuffer costs
/// ~1 ms to allocate and zero in Chromium, the copy into one that exists ~0.2 ms.
pub fn message_f32(
    json: &str,
    parts: &[Cow<[f32]>],
    reuse: Option<ArrayBuffer>,
) -> (Object, Array) {
    let length: usize = parts.iter().map(|p| p.len()).sum();
    let buffer = reuse
        .filter(|b| fits(b, length))
        .unwrap_or_else(|| ArrayBuffer::new(length as u32 * 4));
    let mut at = 0;
    for part in parts {
        Float32Array::new_with_byte_offset_and_length(&buffer, at * 4, part.len() as u32)
            .copy_from(part);
        at += part.len() as u32;
    }
    let message = Object::new();
    let _ = Reflect::set(&message, &"json".into(), &json.into());
    let _ = Reflect::set(&message, &"buffer".into(), &buffer);
    let _ = Reflect::set(&message, &"length".into(), &length.into());
    (message, Array::of1(&buffer))
}

/// Whether `buffer` is worth reusing for `values` f32: big enough, and not so big that a
/// message needing it (a gradient) would then get a fresh one.
pub fn fits(buffer: &ArrayBuffer, values: usize) -> bool {
    let (have, need) = (buffer.byte_length() as usize, values * 4);
    have >= need && have <= 2 * need.max(1 << 16)
}

/// A message's json and its buffer.
fn read(e: &MessageEvent) -> (JsValue, String, Option<ArrayBuffer>) {
    let data = e.data();
    let json = Reflect::get(&data, &"json".into())
        .ok()
        .and_then(|j| j.as_string())
        .unwrap_or_default();
    let buffer = Reflect::get(&data, &"buffer".into())
        .ok()
        .and_then(|b| b.dyn_into::<ArrayBuffer>().ok());
    (data, json, buffer)
}

/// A message from the page: its json and its bytes (one copy into wasm memory).
pub fn read_message(e: &MessageEvent) -> (String, Option<Vec<u8>>) {
    let (_, json, buffer) = read(e);
    (json, buffer.map(|b| Uint8Array::new(&b).to_vec()))
}

/// A message between the training worker and a helper: its json, its `length` f32 (one copy
/// into wasm memory; none when the buffer is shorter), and the buffer, to reuse.
pub fn read_message_f32(e: &MessageEvent) -> (String, Vec<f32>, Option<ArrayBuffer>) {
    let (data, json, buffer) = read(e);
    let length = Reflect::get(&data, &"length".into())
        .ok()
        .and_then(|l| l.as_f64())
        .unwrap_or(0.0) as u32;
    let values = match &buffer {
        Some(b) if b.byte_length() >= length * 4 => {
            Float32Array::new_with_byte_offset_and_length(b, 0, length).to_vec()
        }
        _ => Vec::new(),
    };
    (json, values, buffer)
}

impl Worker {
    fn post(&self, out: Vec<Outgoing>) {
        for Outgoing { event, buffer } in out {
            let (message, transfer) = message(&event.to_json(), buffer.as_deref());
            if let Err(e) = self.scope.post_message_with_transfer(&message, &transfer) {
                web_sys::console::error_2(&"vae-worker: postMessage failed".into(), &e);
            }
        }
    }

    fn schedule(&self) {
        if self.session.borrow().wants_tick() && !self.scheduled.replace(true) {
            let _ = self.tick.port2().post_message(&JsValue::NULL);
        }
    }

    fn clock(&self) -> impl Fn() -> f64 {
        let scope = self.scope.clone();
        move || now(&scope)
    }

    fn on_message(self: &Rc<Self>, e: MessageEvent) {
        let (json, buffer) = read_message(&e);
        let out = match Command::from_json(&json) {
            Ok(command) => self
                .session
                .borrow_mut()
                .handle(command, buffer, now(&self.scope)),
            Err(message) => vec![Outgoing {
                event: Event::Error {
                    message,
                    request: None,
                },
                buffer: None,
            }],
        };
        self.post(out);
        self.keep_helpers();
        self.share_work(); // a Step may have started a shared step
        self.schedule();
    }

    /// One training slice; with helpers, one step: its requests go out first, then this
    /// worker computes its own share while they compute theirs.
    fn on_tick(&self) {
        self.scheduled.replace(false);
        let clock = self.clock();
        let out = self.session.borrow_mut().slice(&clock);
        self.post(out);
        self.share_work();
        self.schedule();
    }

    /// A shared step's requests are out (the courier posted them): this worker computes its
    /// own share(s) while the helpers compute theirs.
    fn share_work(&self) {
        let out = self
            .session
            .borrow_mut()
            .compute_local_shares(&self.clock());
        self.post(out);
        self.lose_unposted();
    }

    /// The session's courier: posts one message to its helper, in a buffer that helper sent
    /// when one fits. A helper that cannot be posted to is lost once the session is free.
    fn post_to_helper(&self, helper: usize, json: &str, parts: &[Cow<[f32]>]) {
        let length = parts.iter().map(|p| p.len()).sum();
        let reuse = self
            .spare
            .borrow_mut()
            .get_mut(helper)
            .and_then(|s| s.take_if(|b| fits(b, length)));
        let (message, transfer) = message_f32(json, parts, reuse);
        let sent = self
            .helpers
            .borrow()
            .get(helper)
            .map(|h| h.post_message_with_transfer(&message, &transfer));
        if !matches!(sent, Some(Ok(()))) {
            self.unposted.borrow_mut().push(helper);
        }
    }

    fn lose_unposted(&self) {
        let lost = std::mem::take(&mut *self.unposted.borrow_mut());
        for helper in lost {
            let out = self.lose_helper(helper);
            self.post(out);
        }
    }

    fn on_helper_message(&self, helper: usize, e: MessageEvent) {
        let (json, buffer, spare) = read_message_f32(&e);
        if let Some(slot) = self.spare.borrow_mut().get_mut(helper) {
            *slot = spare;
        }
        let clock = self.clock();
        let out = if json == HELPER_READY {
            self.session.borrow_mut().helper_ready(helper);
            vec![]
        } else if matches!(Event::from_json(&json), Ok(Event::Crashed { .. })) {
            self.lose_helper(helper)
        } else {
            self.session
                .borrow_mut()
                .share_answered(helper, &json, buffer, &clock)
        };
        self.post(out);
        self.lose_unposted();
        self.schedule();
    }

    /// A helper that failed is stopped for good; its share comes back to this worker.
    fn lose_helper(&self, helper: usize) -> Vec<Outgoing> {
        web_sys::console::warn_1(
            &format!("vae-worker: helper {helper} stopped; its share is computed here").into(),
        );
        if let Some(h) = self.helpers.borrow().get(helper) {
            h.terminate();
        }
        self.session.borrow_mut().helper_lost(helper, &self.clock())
    }

    /// Starts or stops helpers to match the settings' worker count. Where a worker cannot start
    /// workers, training falls back to this one worker.
    fn keep_helpers(self: &Rc<Self>) {
        let wanted = self.session.borrow_mut().helpers_wanted();
        let mut helpers = self.helpers.borrow_mut();
        while helpers.len() > wanted {
            helpers.pop().expect("one more than wanted").terminate();
        }
        while helpers.len() < wanted {
            match self.start_helper(helpers.len()) {
                Ok(helper) => {
                    helpers.push(helper);
                    self.spare.borrow_mut().resize(helpers.len(), None);
                }
                Err(e) => {
                    web_sys::console::warn_2(
                        &"vae-worker: no helper workers here, training in one worker".into(),
                        &e,
                    );
                    self.session.borrow_mut().helpers_impossible();
                    for h in helpers.drain(..) {
                        h.terminate();
                    }
                    break;
                }
            }
        }
    }

    fn start_helper(self: &Rc<Self>, index: usize) -> Result<web_sys::Worker, JsValue> {
        let search = location_search();
        let separator = if search.is_empty() { "?" } else { "&" };
        let helper =
            web_sys::Worker::new(&format!("./worker-loader.js{search}{separator}role=helper"))?;
        let w = self.clone();
        let on_message =
            Closure::<dyn Fn(MessageEvent)>::new(move |e| w.on_helper_message(index, e));
        helper.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the helper
        let w = self.clone();
        let on_error = Closure::<dyn Fn(JsValue)>::new(move |_| {
            let out = w.lose_helper(index);
            w.post(out);
            w.schedule();
        });
        helper.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        Ok(helper)
    }
}

/// Logs a panic to the console, then tells the page (or, in a helper, the training worker),
/// which starts another worker: the release build aborts after this hook, and a silent worker
/// would freeze the page.
pub fn report_panic(info: &std::panic::PanicHookInfo) {
    console_error_panic_hook::hook(info);
    let crashed = Event::Crashed {
        message: info.to_string(),
    };
    let (message, _) = message(&crashed.to_json(), None);
    if let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() {
        let _ = scope.post_message(&message);
    }
}

pub fn start() -> Result<(), JsValue> {
    std::panic::set_hook(Box::new(report_panic));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let mut session = Session::default();
    session.set_cores(scope.navigator().hardware_concurrency() as usize);
    let worker = Rc::new(Worker {
        scope: scope.clone(),
        session: RefCell::new(session),
        tick: MessageChannel::new()?,
        scheduled: RefCell::new(false),
        helpers: RefCell::default(),
        spare: RefCell::default(),
        unposted: RefCell::default(),
    });
    let courier = Rc::downgrade(&worker);
    worker
        .session
        .borrow_mut()
        .set_courier(Box::new(move |helper, json, parts| {
            if let Some(w) = courier.upgrade() {
                w.post_to_helper(helper, json, parts);
            }
        }));
    let w = worker.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e| w.on_message(e));
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget(); // lives as long as the worker
    let w = worker.clone();
    let on_tick = Closure::<dyn Fn(MessageEvent)>::new(move |_| w.on_tick());
    worker
        .tick
        .port1()
        .set_onmessage(Some(on_tick.as_ref().unchecked_ref()));
    on_tick.forget();
    worker.post(vec![Outgoing {
        event: Event::Ready,
        buffer: None,
    }]);
    Ok(())
}
