import { createBoard } from 'board';
import { boot } from './tasks/app';

/** Moddable calls the default export at start-up; on ESP32 every wake from deep sleep starts here. */
export default function main(): void {
  boot(createBoard());
}
