// js-ipfs 0.66 calls Promise.withResolvers, which node 20 lacks (node 22 has it).
// Loaded before the daemon with NODE_OPTIONS=--require <this file>.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers () {
    let resolve, reject
    const promise = new this((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}
