//! Work that blocks (a file dialog, reading a picture) runs on its own thread: the window
//! keeps drawing meanwhile, and is asked to repaint when the answer is there.

use std::sync::mpsc::{self, Receiver, TryRecvError};

pub struct Pending<T> {
    rx: Option<Receiver<T>>,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending { rx: None }
    }
}

impl<T: Send + 'static> Pending<T> {
    pub fn start(&mut self, ctx: &egui::Context, job: impl FnOnce() -> T + Send + 'static) {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            // The dialog was closed meanwhile: its answer has nobody to go to.
            let _ = tx.send(job());
            ctx.request_repaint();
        });
        self.rx = Some(rx);
    }

    pub fn running(&self) -> bool {
        self.rx.is_some()
    }

    /// The answer, once, when it has arrived.
    pub fn take(&mut self) -> Option<T> {
        let r = self.rx.as_ref()?.try_recv();
        match r {
            Ok(v) => {
                self.rx = None;
                Some(v)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.rx = None;
                None
            }
        }
    }
}
