// How the stand-in CLI's executable talks to its server: over a unix socket inside FAKE_NOX_HOME,
// one connection per call, one JSON line each way.

export const SOCKET = 'standin.sock';

/** Sends one JSON line on a connecting socket and resolves with the one JSON line that answers it. */
export function sendLine(socket, message) {
  return new Promise((resolve, reject) => {
    let buf = '';
    let done = false;
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(message) + '\n'));
    socket.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0 || done) return;
      done = true;
      socket.end();
      resolve(JSON.parse(buf.slice(0, nl)));
    });
    const fail = (e) => {
      if (done) return;
      done = true;
      reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(Object.assign(new Error('the server closed the connection without answering'), { code: 'ECLOSED' })));
  });
}

/** Reads the one JSON line a connection sends. */
export function readLine(socket) {
  return new Promise((resolve, reject) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        socket.removeAllListeners('data');
        try {
          resolve(JSON.parse(buf.slice(0, nl)));
        } catch (e) {
          reject(e);
        }
      }
    });
    socket.on('error', reject);
    socket.on('end', () => reject(new Error('connection ended before a request')));
  });
}
