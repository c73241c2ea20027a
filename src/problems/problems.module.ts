import { Module } from '@nestjs/common';
import { ProblemsController } from './problems.controller.js';

/** RFC 9457 problem types: their catalogue, and a page for each type URI. */
@Module({ controllers: [ProblemsController] })
export class ProblemsModule {}
