import { Module } from '@nestjs/common';
import { AccountPagesController } from './account-pages.controller.js';

/** Warden's own minimal pages for the links in account mails (see `ACCOUNT_URL`). */
@Module({ controllers: [AccountPagesController] })
export class AccountPagesModule {}
