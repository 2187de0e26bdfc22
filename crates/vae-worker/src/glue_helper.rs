//! A helper worker's glue: messages in, share gradients out (vae_worker::helper does the work).
use crate::glue::{fits, message, message_f32, read_message_f32, report_panic, HELPER_READY};
use std::cell::RefCell;
use vae_worker::helper::Helper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

pub fn start() -> Result<(), JsValue> {
    std::panic::set_hook(Box::new(report_panic));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let helper = RefCell::new(Helper::default());
    // The buffer of the last message that needed no answer (the other shares' gradients, as
    // big as an answer): the next answer goes out in it.
    let spare = RefCell::new(None);
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
        let (json, request, buffer) = read_message_f32(&e);
        let mut helper = helper.borrow_mut();
        let Some((json, answer)) = helper.handle(&json, request) else {
            *spare.borrow_mut() = buffer;
            return;
        };
        let length = answer.iter().map(|p| p.len()).sum();
        let reuse = spare
            .borrow_mut()
            .take()
            .filter(|b| fits(b, length))
            .or(buffer);
        let (message, transfer) = message_f32(&json, &answer, reuse);
        let _ = reply_to.post_message_with_transfer(&message, &transfer);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget(); // lives as long as the worker
    let (ready, _) = message(HELPER_READY, None);
    scope.post_message(&ready)
}
