// BlobUrls for the file store: URLs of the queue's own /blobs endpoint, signed with the queue's secret.
import type { BlobSigner, BlobMethod } from './blob-signer.js';
import type { BlobUrls } from './types.js';

export class QueueBlobUrls implements BlobUrls {
  private readonly signer: BlobSigner;
  private readonly publicUrl: () => string;

  /** `publicUrl` is read on each call: the real port is only known once the server listens. */
  constructor(signer: BlobSigner, publicUrl: () => string) {
    this.signer = signer;
    this.publicUrl = publicUrl;
  }

  putUrl(key: string, _contentType: string, expires: number): Promise<string> {
    // The PUT stores whatever Content-Type it carries, as S3 does for an unsigned content type.
    return Promise.resolve(this.url('PUT', key, expires));
  }

  getUrl(key: string, expires: number): Promise<string> {
    return Promise.resolve(this.url('GET', key, expires));
  }

  private url(method: BlobMethod, key: string, expires: number): string {
    const { signature } = this.signer.sign(method, key, expires);
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.publicUrl()}/blobs/${path}?expires=${expires}&signature=${signature}`;
  }
}
