import { ArgumentMetadata, Injectable, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { canonicalId } from './canonical-id';

/** `ParseUUIDPipe` (400 for anything but a UUID) that answers the id in its canonical lower case. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, Promise<string>> {
  private readonly uuid = new ParseUUIDPipe();

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return canonicalId(await this.uuid.transform(value, metadata));
  }
}
