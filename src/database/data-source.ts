import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { validateEnvironment } from '../config/validate-environment';
import { typeormOptions } from './typeorm-options';

/** Used by the TypeORM CLI (`npm run migration:*`); needs DATABASE_URL. */
const config = new AppConfig(validateEnvironment(process.env));
if (!config.database.url) throw new Error('The migration CLI needs DATABASE_URL');

export default new DataSource(typeormOptions(config.database.url, 1, false));
