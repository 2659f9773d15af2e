// Camera scanning where the browser has a barcode detector: a QR code seen fills the code and sends the form.
// Elsewhere the typed (or hand-scanner) entry is the way.
const video = document.getElementById("scanner");
const status = document.getElementById("scanner-status");
const form = document.getElementById("check-in-form");
const code = document.getElementById("code");

if ("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia) {
  try {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    status.textContent = "Point the camera at a ticket's QR code.";
    const scan = async () => {
      const [found] = await detector.detect(video).catch(() => []);
      if (found?.rawValue) { code.value = found.rawValue; form.submit(); return; }
      requestAnimationFrame(scan);
    };
    scan();
  } catch {
    status.textContent = "No camera available: type or paste the ticket code.";
  }
} else {
  status.textContent = "This browser cannot scan with the camera: type or paste the ticket code.";
}
