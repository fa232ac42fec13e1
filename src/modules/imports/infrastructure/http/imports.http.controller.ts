import { All, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { z } from 'zod';
import { ValidationError } from '../../../../shared/application/application-errors.js';
import { AdminAuthGuard, type AuthenticatedRequest } from '../../../../shared/infrastructure/auth/admin-auth.guard.js';
import { commandContext } from '../../../../shared/infrastructure/http/command-context.js';
import { JsonBodyInterceptor } from '../../../../shared/infrastructure/http/json-body.interceptor.js';
import { answerOtherMethod } from '../../../../shared/infrastructure/http/other-methods.js';
import { ProblemError } from '../../../../shared/infrastructure/http/problem-details.filter.js';
import { pageLimit, parseInput, refuseQuery } from '../../../../shared/infrastructure/http/zod-input.js';
import { CancelImportCommand } from '../../application/cancel-import/cancel-import.command.js';
import { InviteImportedUsersCommand } from '../../application/invite-imported-users/invite-imported-users.command.js';
import { GetImportErrorsQuery } from '../../application/get-import-errors/get-import-errors.query.js';
import { GetImportQuery } from '../../application/get-import/get-import.query.js';
import { IMPORT_SETTINGS, type ImportSettings } from '../../application/import-settings.js';
import { ListImportsQuery } from '../../application/list-imports/list-imports.query.js';
import { FileTooLargeError } from '../../application/ports/import-file-storage.port.js';
import { FileRefusedError } from '../../application/ports/user-file-parser.port.js';
import { ImportUploads } from '../../application/start-import/import-uploads.js';
import { StartImportCommand, type StoredUpload } from '../../application/start-import/start-import.command.js';
import { ImportWorker } from '../worker/import.worker.js';
import { errorCsvHeader, errorCsvLine } from './csv-error-report.js';
import { importReportJson } from './import-report.json.js';
import { uploadFileName } from './upload-file-name.js';

/** One of `values`, in any case and with blanks around it: forms and scripts send "Update", "TRUE", " false ". */
const choice = <const T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.string({ error: message }).trim().toLowerCase().pipe(z.enum(values, { error: message }));

const flag = (name: string) =>
  choice(['true', 'false'], 'must be "true" or "false"')
    .default('false')
    .transform((v) => v === 'true');

const startImportFields = z.strictObject({
  mode: choice(['skip', 'update'], 'must be "skip" (Skip existing users) or "update" (Update existing users)').default('skip'),
  autoSendInvites: flag('autoSendInvites'),
  dryRun: flag('dryRun'),
});

const importIdParam = z.object({ importId: z.uuid('must be an import id (uuid)') });
const listQuery = z.strictObject({ cursor: z.string().max(500).optional(), limit: pageLimit(100, 20) });
const notALine = 'must be a line number of the file';
const errorsQuery = z.strictObject({
  // Line numbers are PostgreSQL integers: a larger one was a 500.
  after: z.coerce.number({ error: notALine }).int({ error: notALine }).min(0, { error: notALine }).max(2_147_483_647, { error: notALine }).default(0),
  limit: pageLimit(1000, 100),
});

const REFUSAL_STATUS: Record<FileRefusedError['reason'], number> = {
  'not-csv': 415,
  'empty-file': 422,
  'too-many-rows': 413,
  'too-large': 413,
  'missing-email-column': 422,
  'duplicate-column': 422,
  unreadable: 422,
};

const ERRORS_CSV_PAGE = 1_000;

// The two representations of the rejected lines, with the parameters they are served with: an Accept that names a
// parameter (RFC 9110 §12.5.1) matches only an offer that has it, so "text/csv; charset=utf-8", the very type
// answered, was a 406 against a bare "text/csv". The CSV always starts with its heading line (RFC 4180's header).
const ERRORS_JSON = 'application/json; charset=utf-8';
const ERRORS_CSV = 'text/csv; charset=utf-8; header=present';

/** A multer storage engine that streams the file part straight into import storage: nothing is buffered whole. */
function importStorageEngine(uploads: ImportUploads): StorageEngine {
  return {
    _handleFile(_req, file, cb) {
      uploads.store(file.stream).then(
        (upload) => cb(null, { size: upload.sizeBytes, upload } as Partial<Express.Multer.File>),
        (error: unknown) => {
          file.stream.resume();
          cb(error as Error);
        },
      );
    },
    _removeFile(_req, file, cb) {
      const upload = (file as unknown as { upload?: StoredUpload }).upload;
      if (!upload) return cb(null);
      uploads.discard(upload).then(() => cb(null), cb);
    },
  };
}

@Controller('api/v1/networks/:networkId/imports')
@UseGuards(AdminAuthGuard)
// After the guard: the body is read only for a caller who may use the route.
@UseInterceptors(JsonBodyInterceptor)
export class ImportsHttpController {
  private readonly multipart: ReturnType<typeof multer>;

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly uploads: ImportUploads,
    private readonly worker: ImportWorker,
    @Inject(IMPORT_SETTINGS) private readonly settings: ImportSettings,
  ) {
    this.multipart = multer({
      storage: importStorageEngine(uploads),
      limits: { files: 1, fileSize: settings.maxFileBytes, fields: 10, parts: 11, fieldSize: 1024, fieldNameSize: 100, headerPairs: 50 },
      // Browsers send the file's name in UTF-8; multer's default (latin1) turned "équipe.csv" into "Ã©quipe.csv".
      defParamCharset: 'utf8',
    });
  }

  @Post()
  @HttpCode(202)
  async start(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response, @Param('networkId') networkId: string, @Query() query: unknown) {
    if (!req.is('multipart/form-data')) {
      throw new ProblemError(415, 'Send the CSV file as multipart/form-data, in a field named "file".');
    }
    // Before the file is read: ?mode=update or ?dryRun=true belong in the form, and ignored they change the import.
    refuseQuery(query);
    await this.receive(req, res);
    const upload = (req.file as (Express.Multer.File & { upload?: StoredUpload }) | undefined)?.upload;
    if (!upload || !req.file) {
      // A part without a file name is a text field to multipart: the file's content arrived, but not as a file.
      if ((req.body as Record<string, unknown> | undefined)?.file !== undefined) {
        throw new ValidationError('The "file" part came without a file name, so it was read as a text field: send the CSV as a file (curl -F file=@users.csv).', 'file');
      }
      throw new ValidationError('Choose a CSV file to import: the form needs a field named "file".', 'file');
    }
    try {
      const fields = parseInput(startImportFields, req.body, 'form');
      const record = await this.commands.execute(
        new StartImportCommand(commandContext(req, networkId), { fileName: uploadFileName(req.file.originalname), upload, ...fields }),
      );
      this.worker.wake();
      res.location(`/api/v1/networks/${encodeURIComponent(networkId)}/imports/${record.id}`);
      return importReportJson(record);
    } catch (error) {
      await this.uploads.discard(upload);
      if (error instanceof FileRefusedError) {
        throw new ProblemError(REFUSAL_STATUS[error.reason], error.message, { reason: error.reason, ...(error.line ? { line: error.line } : {}) });
      }
      throw error;
    }
  }

  @Get()
  async list(@Param('networkId') networkId: string, @Query() query: unknown) {
    const q = parseInput(listQuery, query, 'query');
    const page = await this.queries.execute(new ListImportsQuery(networkId, q.cursor, q.limit));
    return { items: page.items.map(importReportJson), nextCursor: page.nextCursor };
  }

  @Get(':importId')
  async get(@Param('networkId') networkId: string, @Param() params: unknown, @Query() query: unknown) {
    const { importId } = parseInput(importIdParam, params, 'path');
    refuseQuery(query);
    return importReportJson(await this.queries.execute(new GetImportQuery(networkId, importId)));
  }

  /** Requests an invitation for every user the import created and nobody invited yet; safe to call twice. */
  @Post(':importId/invitations')
  @HttpCode(200)
  async invite(@Req() req: AuthenticatedRequest, @Param('networkId') networkId: string, @Param() params: unknown, @Query() query: unknown) {
    const { importId } = parseInput(importIdParam, params, 'path');
    refuseQuery(query);
    return this.commands.execute(new InviteImportedUsersCommand(commandContext(req, networkId), importId));
  }

  /**
   * Cancels an import that has not ended: 200 with its report once it has ended (failed, saying it was cancelled),
   * or 202 while the instance applying it stops at its next batch. What it applied stays.
   */
  @Post(':importId/cancel')
  async cancel(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
    @Param('networkId') networkId: string,
    @Param() params: unknown,
    @Query() query: unknown,
  ) {
    const { importId } = parseInput(importIdParam, params, 'path');
    refuseQuery(query);
    const { record, ended } = await this.commands.execute(new CancelImportCommand(commandContext(req, networkId), importId));
    res.status(ended ? 200 : 202);
    if (!ended) res.location(`/api/v1/networks/${encodeURIComponent(networkId)}/imports/${record.id}`);
    return importReportJson(record);
  }

  /** The rejected lines: JSON pages by default, or the whole list as a CSV to fix and re-upload. */
  @Get(':importId/errors')
  async errors(@Req() req: Request, @Res() res: Response, @Param('networkId') networkId: string, @Param() params: unknown, @Query() query: unknown) {
    const { importId } = parseInput(importIdParam, params, 'path');
    // Which representation depends on Accept: caches must not give a CSV to a JSON request, nor the reverse.
    res.vary('Accept');
    const served = req.accepts([ERRORS_JSON, ERRORS_CSV]);
    if (served === false) {
      throw new ProblemError(406, 'The rejected lines are served as application/json or as text/csv: ask for one of them in Accept, or send no Accept for JSON.');
    }
    // Checked for the CSV too, which reads all lines: an unknown parameter is refused there as well.
    const q = parseInput(errorsQuery, query, 'query');
    if (served === ERRORS_CSV) return this.errorsCsv(res, networkId, importId);
    const page = await this.queries.execute(new GetImportErrorsQuery(networkId, importId, q.after, q.limit));
    res.json({
      items: page.items.map((r) => ({
        line: r.line,
        email: r.email,
        error: r.error,
        field: r.field,
        fields: Object.fromEntries(page.columns.map((c, i) => [c.heading, r.fields[i] ?? ''])),
      })),
      nextAfter: page.nextAfterLine,
    });
  }

  // The other methods of each path: 405 (OPTIONS 204) with Allow. Express tries routes in the order they are
  // declared, so these stay after the routes they complete.
  @All()
  otherMethodsOfImports(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'GET, HEAD, POST');
  }

  @All([':importId', ':importId/errors'])
  otherMethodsOfReports(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'GET, HEAD');
  }

  @All([':importId/invitations', ':importId/cancel'])
  otherMethodsOfCommands(@Req() req: Request, @Res() res: Response) {
    answerOtherMethod(req, res, 'POST');
  }

  private async errorsCsv(res: Response, networkId: string, importId: string): Promise<void> {
    let page = await this.queries.execute(new GetImportErrorsQuery(networkId, importId, 0, ERRORS_CSV_PAGE));
    res.status(200).type('text/csv; charset=utf-8').attachment(`import-${importId}-errors.csv`);
    // A BOM so spreadsheet programs read the UTF-8 correctly.
    res.write('\uFEFF' + errorCsvHeader(page.columns, page.delimiter));
    for (;;) {
      for (const rejected of page.items) res.write(errorCsvLine(page.columns, rejected, page.delimiter));
      if (page.nextAfterLine === null) break;
      page = await this.queries.execute(new GetImportErrorsQuery(networkId, importId, page.nextAfterLine, ERRORS_CSV_PAGE));
    }
    res.end();
  }

  private receive(req: Request, res: Response): Promise<void> {
    return new Promise((resolve, reject) => {
      this.multipart.single('file')(req, res, (error: unknown) => {
        if (!error) return resolve();
        // The client went away mid-upload (a closed tab, a lost network): the part stored is gone, no one is there
        // to read an answer, and it is not the server's failure to log as one.
        if (!req.complete && req.destroyed) {
          return reject(new ProblemError(400, 'The upload stopped before the whole file had arrived; nothing was imported. Send the file again.'));
        }
        if (error instanceof FileTooLargeError) return reject(new ProblemError(413, error.message, { reason: 'too-large' }));
        if (error instanceof MulterError) return reject(this.multerProblem(error));
        // busboy's words for a broken multipart body: the client's fault, not ours.
        if (error instanceof Error && /boundary|multipart|unexpected end of form|malformed part/i.test(error.message)) {
          return reject(new ProblemError(400, `The upload could not be read (${error.message}); send the file as multipart/form-data.`));
        }
        reject(error);
      });
    });
  }

  private multerProblem(error: MulterError): ProblemError {
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new ProblemError(413, new FileTooLargeError(this.settings.maxFileBytes).message, { reason: 'too-large' });
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return new ProblemError(400, 'Send exactly one file, in a field named "file".', { field: 'file' });
      default:
        return new ProblemError(400, `The upload form is not as expected (${error.message}); send "file", and optionally "mode", "autoSendInvites" and "dryRun".`);
    }
  }
}
