//! Running mean of the values present.

#[derive(Debug, Default, Clone, Copy)]
pub struct Mean {
    sum: f64,
    n: u32,
}

impl Mean {
    pub fn add(&mut self, v: Option<f64>) {
        if let Some(v) = v {
            self.sum += v;
            self.n = self.n.saturating_add(1);
        }
    }

    /// The mean of the values added; None when there were none.
    pub fn get(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}
